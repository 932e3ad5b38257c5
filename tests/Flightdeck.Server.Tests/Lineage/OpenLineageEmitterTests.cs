using System.Text.Json;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Lineage;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Lineage;

public sealed class OpenLineageEmitterTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Runs_emit_start_and_end_events_through_the_outbox_to_a_marquez_compatible_receiver(string backend)
    {
        // Given: a receiver (Flightdeck's own OpenLineage intake) and a server that emits to it.
        await using var receiver = await TestServer.StartAsync(StoreBackend.Sqlite);
        await using var server = await TestServer.StartAsync(backend, o => o with
        {
            OpenLineageUrl = receiver.BaseAddress.ToString(),
            OpenLineageNamespace = "fd-prod",
            Outbox = o.Outbox with { PollInterval = TimeSpan.FromMilliseconds(100), RetryBaseDelay = TimeSpan.FromMilliseconds(100) },
        });
        var experiment = await server.CreateExperimentAsync("churn");
        var run = await server.CreateRunAsync(experiment, "train");
        await server.LogInputAsync(run, "train", "d1", """{"uri": "s3://bucket/data/train.csv"}""");
        await server.RegisterAsync("churn", run);
        var failed = await server.CreateRunAsync(experiment, "broken");

        // When: the runs end (twice for the first: only one end event).
        await server.PostOkAsync("runs/update", new { run_id = run, status = "FINISHED", end_time = 1_800_000_000_000 });
        await server.PostOkAsync("runs/update", new { run_id = run, status = "FINISHED" });
        await server.PostOkAsync("runs/update", new { run_id = failed, status = "FAILED" });
        await server.PostOkAsync("runs/log-batch", new { run_id = failed, tags = new[] { new { key = "k", value = "v" } } });

        // Then: the receiver's graph has the experiment as a job that read the dataset and wrote the model.
        var receiverDb = receiver.Services.GetRequiredService<Database>();
        var events = await WaitForEventsAsync(receiverDb, 4);
        var olRun = FlightdeckRunEvents.OpenLineageRunId(run);
        Assert.Equal(
            new[] { (olRun, "START"), (olRun, "COMPLETE"), (FlightdeckRunEvents.OpenLineageRunId(failed), "START"), (FlightdeckRunEvents.OpenLineageRunId(failed), "FAIL") }
                .Order().ToList(),
            events.Select(e => (e.RunId, e.EventType)).Order().ToList());
        var complete = JsonDocument.Parse(events.Single(e => e.EventType == "COMPLETE").Body).RootElement;
        Assert.Equal("2027-01-15T08:00:00.000Z", complete.GetProperty("eventTime").GetString());
        Assert.Equal("fd-prod", complete.GetProperty("job").GetProperty("namespace").GetString());
        Assert.Equal("churn", complete.GetProperty("job").GetProperty("name").GetString());
        var input = complete.GetProperty("inputs")[0];
        Assert.Equal(("s3://bucket", "data/train.csv"), (input.GetProperty("namespace").GetString(), input.GetProperty("name").GetString()));
        Assert.Equal("d1", input.GetProperty("facets").GetProperty("version").GetProperty("datasetVersion").GetString());
        Assert.Equal("models/churn/1", complete.GetProperty("outputs")[0].GetProperty("name").GetString());
        Assert.Equal(run, complete.GetProperty("run").GetProperty("facets").GetProperty("flightdeck_run").GetProperty("runId").GetString());

        var graph = await receiver.GraphAsync("job:fd-prod/churn");
        Assert.Contains("olds:s3://bucket/data/train.csv -input-> job:fd-prod/churn", graph.Edges());
        Assert.Contains("job:fd-prod/churn -output-> olds:fd-prod/models/churn/1", graph.Edges());

        // And the sender recorded each emission once.
        await using var connection = await server.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        Assert.Equal(4, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM openlineage_emissions WHERE outbox_id > 0"));
    }

    [Fact]
    public async Task Without_a_url_nothing_is_emitted_and_a_bad_url_stops_the_server_from_starting()
    {
        await using (var server = await TestServer.StartAsync())
        {
            var run = await server.CreateRunAsync("0");
            await server.PostOkAsync("runs/update", new { run_id = run, status = "FINISHED" });
            await using var connection = await server.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM openlineage_emissions"));
        }

        await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync(configure: o => o with { OpenLineageUrl = "ftp://example.com" }));
    }

    [Theory]
    [InlineData("http://marquez:5000", "http://marquez:5000/api/v1/lineage")]
    [InlineData("http://marquez:5000/", "http://marquez:5000/api/v1/lineage")]
    [InlineData("https://lineage.example.com/api/v1/lineage", "https://lineage.example.com/api/v1/lineage")]
    [InlineData("https://example.com/openlineage/", "https://example.com/openlineage/api/v1/lineage")]
    public void A_base_url_gets_the_marquez_path(string url, string endpoint) => Assert.Equal(endpoint, OpenLineageEmitter.Endpoint(url));

    [Theory]
    [InlineData("s3://bucket/data/train.csv", "s3://bucket", "data/train.csv")]
    [InlineData("file:///data/a b.csv", "file", "/data/a b.csv")]
    [InlineData("bigquery:project.dataset.table", "bigquery", "project.dataset.table")]
    [InlineData("https://example.com", "https://example.com", "/")]
    public void Dataset_locations_map_to_openlineage_names_and_back(string location, string ns, string name)
    {
        Assert.Equal((ns, name), DatasetSourceUri.ToOpenLineage(location));
        Assert.Equal(location, DatasetSourceUri.FromOpenLineage(ns, name));
    }

    [Fact]
    public void Sources_that_name_no_location_get_a_flightdeck_name()
    {
        Assert.Null(DatasetSourceUri.ToOpenLineage("""{"table": "t"}"""));
        var built = FlightdeckRunEvents.Build("COMPLETE", 0,
            new FlightdeckRunEvents.RunFacts("0123456789abcdef0123456789abcdef", "r", 7, "exp", "u", "FINISHED", 0),
            [new FlightdeckRunEvents.DatasetFacts(7, "train", "d1", "", """{"mlflow_colspec": [{"name": "age", "type": "long"}]}""")], [], "flightdeck");
        var input = Assert.Single(built.Inputs!);
        Assert.Equal(("flightdeck", "datasets/7/train/d1"), (input.Namespace, input.Name));
        Assert.Equal("age", input.Facets!.Value.GetProperty("schema").GetProperty("fields")[0].GetProperty("name").GetString());
        Assert.Equal("01234567-89ab-cdef-0123-456789abcdef", built.Run!.RunId);
        Assert.Equal("1970-01-01T00:00:00.000Z", built.EventTime);
    }

    private sealed record ReceivedEvent(string RunId, string EventType, string Body);

    private static async Task<List<ReceivedEvent>> WaitForEventsAsync(Database database, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            var events = (await connection.QueryAsync<(string RunId, string EventType, string Body)>(
                "SELECT run_id, event_type, body FROM openlineage_events ORDER BY id")).Select(e => new ReceivedEvent(e.RunId, e.EventType, e.Body)).ToList();
            if (events.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, events.Count);
                return events;
            }

            await Task.Delay(100);
        }
    }
}
