using Flightdeck.Server.Registry;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Registry;

public sealed class RegistrySearchPrefixTests
{
    [Theory]
    [InlineData("model-12%", "model-12", "model-13")]
    [InlineData("model-12_x", "model-12", "model-13")]
    [InlineData(@"a\_b%", "a_b", "a_c")]
    [InlineData(@"a\%%", "a%", "a&")]
    [InlineData("exact", "exact", "exacu")]
    [InlineData("caf\u00e9%", "caf\u00e9", "caf\u00ea")]
    public void A_like_pattern_with_a_literal_prefix_gives_its_byte_wise_range(string pattern, string low, string high)
    {
        Assert.Equal((low, high), RegistrySearch.PrefixRange(pattern));
    }

    [Theory]
    [InlineData("%x")]
    [InlineData("_x")]
    [InlineData("a\uFFFF%")]
    [InlineData("a\uD83D\uDE00%")]
    public void Patterns_without_a_simple_prefix_get_no_range(string pattern)
    {
        Assert.Null(RegistrySearch.PrefixRange(pattern));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Prefix_searches_find_exactly_the_matching_models_and_versions(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        foreach (var name in new[] { "model-1", "model-12", "model-120", "model-12\u00e9", "model-12\U0001F600", "model-13", "Model-12", "a_b", "axb" })
        {
            await server.CreateModelAsync(name);
            await server.CreateVersionAsync(name);
        }

        async Task<List<string?>> ModelsAsync(string filter) =>
            (await server.GetOkAsync("registered-models/search?filter=" + Uri.EscapeDataString(filter))).TryGetProperty("registered_models", out var models)
                ? models.Strings("name")
                : [];

        async Task<List<string?>> VersionsAsync(string filter) =>
            (await server.GetOkAsync("model-versions/search?filter=" + Uri.EscapeDataString(filter))).TryGetProperty("model_versions", out var versions)
                ? versions.Strings("name")
                : [];

        string[] expected = ["model-12", "model-120", "model-12\u00e9", "model-12\U0001F600"];
        Assert.Equal(expected, await ModelsAsync("name LIKE 'model-12%'"));
        Assert.Equal(expected, await VersionsAsync("name LIKE 'model-12%'"));
        Assert.Equal(["a_b"], await ModelsAsync(@"name LIKE 'a\_b'"));
        Assert.Equal(["a_b", "axb"], await VersionsAsync("name LIKE 'a_b'"));
        Assert.Equal(["Model-12", "model-12"], await ModelsAsync("name ILIKE 'model-12'"));
    }
}
