using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Registry;

public sealed class GaplessVersionTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Concurrent_creates_on_one_model_get_exactly_1_to_40(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("hot");

        var versions = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            (await server.CreateVersionAsync("hot", $"s3://bucket/hot/{i}")).GetProperty("version").GetString()!));

        Assert.Equal(Enumerable.Range(1, 40), versions.Select(int.Parse).Order());
        var search = await server.GetOkAsync("model-versions/search?filter=" + Uri.EscapeDataString("name = 'hot'"));
        Assert.Equal(40, search.GetProperty("model_versions").GetArrayLength());
        var history = (await server.GetFlightdeckAsync("history?name=hot")).GetProperty("events");
        Assert.Equal(41, history.GetArrayLength());
    }

    [Fact]
    public async Task Two_servers_on_one_PostgreSQL_share_one_gapless_sequence()
    {
        await using var first = await TestServer.StartAsync(StoreBackend.Postgres);
        await using var second = await TestServer.StartAsync(StoreBackend.Postgres, o => o with { BackendStoreUri = first.Options.BackendStoreUri });
        await first.CreateModelAsync("shared");

        var versions = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            (await (i % 2 == 0 ? first : second).CreateVersionAsync("shared", $"s3://bucket/shared/{i}")).GetProperty("version").GetString()!));

        Assert.Equal(Enumerable.Range(1, 40), versions.Select(int.Parse).Order());
    }
}
