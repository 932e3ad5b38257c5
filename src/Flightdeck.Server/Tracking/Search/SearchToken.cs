namespace Flightdeck.Server.Tracking.Search;

internal enum SearchTokenKind
{
    /// <summary>A bare word: AND, LIKE, a prefix such as <c>metrics.</c> joined to its key, or an attribute name.</summary>
    Word,

    /// <summary>An identifier whose key part is quoted: <c>params."a b"</c>, <c>`a b`</c>, <c>tags.`x`</c>.</summary>
    QuotedIdentifier,

    /// <summary>A <c>"..."</c> literal: an identifier on the left-hand side, a string value on the right, as in MLflow.</summary>
    DoubleQuoted,

    /// <summary>A <c>'...'</c> string value.</summary>
    SingleQuoted,
    Number,
    Operator,
    OpenParen,
    CloseParen,
    Comma,
}

/// <summary>
/// One lexed token. For identifiers, <see cref="Prefix"/> is the entity type before the first dot (null when there is
/// none) and <see cref="Text"/> the key; for other tokens <see cref="Text"/> is the unquoted text.
/// </summary>
internal sealed record SearchToken(SearchTokenKind Kind, string Text, string Raw, string? Prefix = null)
{
    public bool IsWord(string word) => Kind == SearchTokenKind.Word && Prefix is null && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);
}
