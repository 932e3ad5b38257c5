using System.Text;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Tracking.Search;

/// <summary>
/// Splits a filter or order_by string into tokens. Anything outside the grammar (semicolons, comment markers, stray
/// punctuation, unterminated quotes) is rejected here, so later stages only see well-formed pieces.
/// </summary>
internal sealed class SearchLexer
{
    private readonly string _text;
    private readonly Func<string, FlightdeckException> _error;
    private int _pos;

    private SearchLexer(string text, Func<string, FlightdeckException> error)
    {
        _text = text;
        _error = error;
    }

    /// <param name="error">Builds the error for a problem described by its argument.</param>
    public static List<SearchToken> Tokenize(string text, Func<string, FlightdeckException> error) =>
        new SearchLexer(text, error).ReadAll();

    private List<SearchToken> ReadAll()
    {
        var tokens = new List<SearchToken>();
        while (true)
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            {
                _pos++;
            }

            if (_pos >= _text.Length)
            {
                return tokens;
            }

            tokens.Add(ReadToken());
        }
    }

    private SearchToken ReadToken()
    {
        var start = _pos;
        var c = _text[_pos];
        switch (c)
        {
            case '\'':
                return new SearchToken(SearchTokenKind.SingleQuoted, ReadQuoted('\''), Raw(start));
            case '"':
                return new SearchToken(SearchTokenKind.DoubleQuoted, ReadQuoted('"'), Raw(start));
            case '`':
                return new SearchToken(SearchTokenKind.QuotedIdentifier, ReadQuoted('`'), Raw(start));
            case '(':
                _pos++;
                return new SearchToken(SearchTokenKind.OpenParen, "(", "(");
            case ')':
                _pos++;
                return new SearchToken(SearchTokenKind.CloseParen, ")", ")");
            case ',':
                _pos++;
                return new SearchToken(SearchTokenKind.Comma, ",", ",");
            case '=' or '!' or '<' or '>':
                while (_pos < _text.Length && _text[_pos] is '=' or '!' or '<' or '>')
                {
                    _pos++;
                }

                return new SearchToken(SearchTokenKind.Operator, Raw(start), Raw(start));
        }

        if (IsNumberStart())
        {
            return ReadNumber();
        }

        if (char.IsLetter(c) || c == '_')
        {
            return ReadWord();
        }

        throw _error($"unexpected character '{c}' at position {start}");
    }

    private bool IsNumberStart()
    {
        var i = _pos;
        if (_text[i] is '-' or '+')
        {
            i++;
        }

        if (i < _text.Length && _text[i] == '.')
        {
            i++;
        }

        return i < _text.Length && char.IsAsciiDigit(_text[i]);
    }

    private SearchToken ReadNumber()
    {
        var start = _pos;
        if (_text[_pos] is '-' or '+')
        {
            _pos++;
        }

        SkipDigits();
        if (_pos < _text.Length && _text[_pos] == '.')
        {
            _pos++;
            SkipDigits();
        }

        if (_pos < _text.Length && _text[_pos] is 'e' or 'E')
        {
            _pos++;
            if (_pos < _text.Length && _text[_pos] is '-' or '+')
            {
                _pos++;
            }

            var digitsAt = _pos;
            SkipDigits();
            if (_pos == digitsAt)
            {
                throw _error($"malformed number '{Raw(start)}'");
            }
        }

        if (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.'))
        {
            throw _error($"malformed number starting at position {start}");
        }

        var raw = Raw(start);
        return new SearchToken(SearchTokenKind.Number, raw, raw);
    }

    private void SkipDigits()
    {
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }
    }

    private SearchToken ReadWord()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.'))
        {
            _pos++;
        }

        var word = Raw(start);
        var dot = word.IndexOf('.', StringComparison.Ordinal);
        if (word.EndsWith('.') && _pos < _text.Length && _text[_pos] is '"' or '`')
        {
            // metrics."my metric" / tags.`a b`: the prefix is the entity type and must be one plain word.
            var prefix = word[..^1];
            if (prefix.Contains('.', StringComparison.Ordinal))
            {
                throw _error($"invalid identifier '{word}'");
            }

            var key = ReadQuoted(_text[_pos]);
            return new SearchToken(SearchTokenKind.QuotedIdentifier, key, Raw(start), prefix);
        }

        return dot < 0
            ? new SearchToken(SearchTokenKind.Word, word, word)
            : new SearchToken(SearchTokenKind.Word, word[(dot + 1)..], word, word[..dot]);
    }

    /// <summary>
    /// Reads a quoted run starting at the opening quote. A doubled quote or a backslash before the quote stands for
    /// the quote itself; every other character, backslashes included, is kept as written.
    /// </summary>
    private string ReadQuoted(char quote)
    {
        var start = _pos;
        _pos++;
        var value = new StringBuilder();
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == quote)
            {
                if (_pos + 1 < _text.Length && _text[_pos + 1] == quote)
                {
                    value.Append(quote);
                    _pos += 2;
                    continue;
                }

                _pos++;
                return value.ToString();
            }

            if (c == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] == quote)
            {
                value.Append(quote);
                _pos += 2;
                continue;
            }

            if (c == '\0' || char.IsSurrogate(c) && !IsSurrogatePairAt(_pos))
            {
                // Neither survives PostgreSQL's text encoding; reject them before they reach the database.
                throw _error($"invalid character in quoted string at position {_pos}");
            }

            value.Append(c);
            _pos++;
        }

        throw _error($"unterminated quoted string starting at position {start}");
    }

    private bool IsSurrogatePairAt(int i) =>
        char.IsHighSurrogate(_text[i]) ? i + 1 < _text.Length && char.IsLowSurrogate(_text[i + 1])
            : i > 0 && char.IsHighSurrogate(_text[i - 1]) && char.IsLowSurrogate(_text[i]);

    private string Raw(int start) => _text[start.._pos];
}
