using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Lineage;

public sealed class LineageGraphTests
{
    /// <summary>train.csv → run A → model churn v1, and train.csv → run B → churn v2 and fraud v1; run B also read extra.csv.</summary>
    private static async Task<(string Train, string Extra, string RunA, string RunB)> BuildAsync(TestServer server)
    {
        var experiment = await server.CreateExperimentAsync("lineage");
        var runA = await server.CreateRunAsync(experiment, "a");
        var runB = await server.CreateRunAsync(experiment, "b");
        await server.LogInputAsync(runA, "train", "d1", """{"uri": "s3://bucket/data/train.csv"}""");
        await server.LogInputAsync(runB, "train", "d1", """{"uri": "s3://bucket/data/train.csv"}""");
        await server.LogInputAsync(runB, "extra", "d2", """{"uri": "s3://bucket/data/extra.csv"}""");
        await server.RegisterAsync("churn", runA);
        await server.RegisterAsync("churn", runB);
        await server.RegisterAsync("fraud", runB);
        return (await server.DatasetIdAsync(experiment, "train"), await server.DatasetIdAsync(experiment, "extra"), runA, runB);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Dataset_to_run_to_model_walks_both_ways_within_the_depth(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var (train, extra, runA, runB) = await BuildAsync(server);

        var downstream = await server.GraphAsync($"dataset:{train}", "downstream");
        Assert.Equal(
            new[] { $"dataset:{train}", "model:churn/1", "model:churn/2", "model:fraud/1", $"run:{runA}", $"run:{runB}" }.Order(StringComparer.Ordinal),
            downstream.NodeIds());
        Assert.Equal(
            new[]
            {
                $"dataset:{train} -input-> run:{runA}", $"dataset:{train} -input-> run:{runB}",
                $"run:{runA} -produced-> model:churn/1", $"run:{runB} -produced-> model:churn/2", $"run:{runB} -produced-> model:fraud/1",
            }.Order(StringComparer.Ordinal),
            downstream.Edges());
        Assert.Equal(1, downstream.Node($"run:{runA}").GetProperty("distance").GetInt32());
        Assert.Equal(2, downstream.Node("model:fraud/1").GetProperty("distance").GetInt32());
        Assert.Equal("train (d1)", downstream.Node($"dataset:{train}").GetProperty("label").GetString());
        Assert.Equal("s3://bucket/data/train.csv", downstream.Node($"dataset:{train}").GetProperty("attributes").GetProperty("source_uri").GetString());

        var shallow = await server.GraphAsync($"dataset:{train}", "downstream", depth: 1);
        Assert.Equal(new[] { $"dataset:{train}", $"run:{runA}", $"run:{runB}" }.Order(StringComparer.Ordinal), shallow.NodeIds());
        Assert.Equal(1, shallow.GetProperty("depth").GetInt32());

        var upstream = await server.GraphAsync("model:fraud/1", "upstream");
        Assert.Equal(new[] { $"dataset:{extra}", $"dataset:{train}", "model:fraud/1", $"run:{runB}" }.Order(StringComparer.Ordinal), upstream.NodeIds());
        Assert.Equal("upstream", upstream.GetProperty("direction").GetString());
        Assert.Equal("model:fraud/1", upstream.GetProperty("root").GetString());

        var upstreamOneHop = await server.GraphAsync("model:fraud/1", "upstream", depth: 1);
        Assert.Equal(new[] { "model:fraud/1", $"run:{runB}" }, upstreamOneHop.NodeIds());
        Assert.Equal([$"run:{runB} -produced-> model:fraud/1"], upstreamOneHop.Edges());

        // Both ways from run B: its datasets upstream and its models downstream, but not run A (a sibling, not lineage).
        var both = await server.GraphAsync($"run:{runB}");
        Assert.Equal(
            new[] { $"dataset:{extra}", $"dataset:{train}", "model:churn/2", "model:fraud/1", $"run:{runB}" }.Order(StringComparer.Ordinal),
            both.NodeIds());
        Assert.Equal("both", both.GetProperty("direction").GetString());
        Assert.Equal(5, both.GetProperty("depth").GetInt32());
        Assert.False(both.GetProperty("truncated").GetBoolean());
        Assert.Equal("b", both.Node($"run:{runB}").GetProperty("label").GetString());
        Assert.Equal("RUNNING", both.Node($"run:{runB}").GetProperty("attributes").GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Unknown_nodes_are_404_and_bad_ids_or_depths_are_400(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var (train, _, runA, _) = await BuildAsync(server);

        foreach (var unknown in new[]
        {
            $"dataset:{Guid.NewGuid()}", "run:0123456789abcdef0123456789abcdef", "model:churn/9", "model:nope/1",
            "job:airflow/etl", "olds:s3://bucket/data/train.csv",
        })
        {
            using var response = await server.GetFlightdeckRawAsync($"lineage?node={Uri.EscapeDataString(unknown)}");
            var message = await TestServer.ReadErrorAsync(response, 404, ErrorCode.ResourceDoesNotExist);
            Assert.Contains(unknown, message, StringComparison.Ordinal);
        }

        foreach (var bad in new[]
        {
            "", "dataset", "dataset:", "dataset:not-a-uuid", "run:has space", "run:../x", "model:churn", "model:churn/0", "model:churn/v1",
            "model:/1", "job:no-slash", "job:ns/", "olds:/name", "deployment:1", "RUN:abc", "node\u0001",
        })
        {
            using var response = await server.GetFlightdeckRawAsync($"lineage?node={Uri.EscapeDataString(bad)}");
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        foreach (var query in new[] { "depth=0", "depth=11", "depth=-1", "depth=two", "depth=99999999999999999999", "direction=sideways", "direction=UP" })
        {
            using var response = await server.GetFlightdeckRawAsync($"lineage?node=run:{runA}&{query}");
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        using (var missing = await server.GetFlightdeckRawAsync("lineage"))
        {
            Assert.Contains("node", await TestServer.ReadErrorAsync(missing, 400, ErrorCode.InvalidParameterValue), StringComparison.Ordinal);
        }

        Assert.Equal(10, (await server.GraphAsync($"dataset:{train}", depth: 10)).GetProperty("depth").GetInt32());
    }
}
