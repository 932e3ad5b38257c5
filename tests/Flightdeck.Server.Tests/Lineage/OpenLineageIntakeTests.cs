using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Dapper;

namespace Flightdeck.Server.Tests.Lineage;

public sealed class OpenLineageIntakeTests
{
    private const string Olds = "olds:s3://bucket/data/train.csv";
    private const string Raw = "olds:s3://bucket/raw/admissions.csv";
    private const string Job = "job:airflow-prod/etl.build_training_set";

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task An_upstream_job_that_wrote_a_runs_dataset_shows_up_upstream_of_the_run(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var experiment = await server.CreateExperimentAsync("churn");
        var run = await server.CreateRunAsync(experiment, "train");
        await server.LogInputAsync(run, "train", "d1", """{"uri": "s3://bucket/data/train.csv"}""");
        await server.RegisterAsync("churn", run);
        var dataset = await server.DatasetIdAsync(experiment, "train");
        var etlRun = Guid.NewGuid().ToString();

        // When: Airflow reports its ETL run, which read the raw file and wrote the training set.
        await server.PostEventOkAsync(LineageTestData.RunEvent("START", etlRun, "airflow-prod", "etl.build_training_set",
            inputs: [("s3://bucket", "raw/admissions.csv")], eventTime: "2026-11-28T10:00:00Z"));
        await server.PostEventOkAsync(LineageTestData.RunEvent("COMPLETE", etlRun, "airflow-prod", "etl.build_training_set",
            outputs: [("s3://bucket", "data/train.csv")], eventTime: "2026-11-28T10:05:00Z"));

        // Then: model ← run ← dataset ← OpenLineage dataset ← job ← raw input.
        var upstream = await server.GraphAsync("model:churn/1", "upstream");
        Assert.Equal(
            new[] { $"dataset:{dataset}", Job, "model:churn/1", Olds, Raw, $"run:{run}" }.Order(StringComparer.Ordinal),
            upstream.NodeIds());
        Assert.Equal(
            new[]
            {
                $"{Olds} -same_as-> dataset:{dataset}", $"dataset:{dataset} -input-> run:{run}", $"run:{run} -produced-> model:churn/1",
                $"{Job} -output-> {Olds}", $"{Raw} -input-> {Job}",
            }.Order(StringComparer.Ordinal),
            upstream.Edges());
        var job = upstream.Node(Job).GetProperty("attributes");
        Assert.Equal("COMPLETE", job.GetProperty("latest_state").GetString());
        Assert.Equal(etlRun, job.GetProperty("latest_run_id").GetString());
        Assert.Equal("1", job.GetProperty("run_count").GetString());
        Assert.Equal("s3://bucket/data/train.csv", upstream.Node(Olds).GetProperty("label").GetString());
        Assert.Equal(5, upstream.Node(Raw).GetProperty("distance").GetInt32());

        var shallow = await server.GraphAsync($"run:{run}", "upstream", depth: 3);
        Assert.Equal(new[] { $"dataset:{dataset}", Job, Olds, $"run:{run}" }.Order(StringComparer.Ordinal), shallow.NodeIds());

        // And downstream from the job reaches the Flightdeck run and its model.
        var downstream = await server.GraphAsync(Job, "downstream");
        Assert.Equal(
            new[] { $"dataset:{dataset}", Job, "model:churn/1", Olds, $"run:{run}" }.Order(StringComparer.Ordinal),
            downstream.NodeIds());
        var fromRaw = await server.GraphAsync(Raw, "downstream", depth: 2);
        Assert.Equal(new[] { Job, Olds, Raw }.Order(StringComparer.Ordinal), fromRaw.NodeIds());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Events_are_stored_and_merged_in_any_order(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = Guid.NewGuid().ToString();

        // COMPLETE arrives before START and RUNNING: the terminal state stands.
        await server.PostEventOkAsync(LineageTestData.RunEvent("COMPLETE", runId, "spark", "nightly", outputs: [("file", "/data/out.parquet")],
            eventTime: "2026-11-28T10:05:00+00:00"));
        await server.PostEventOkAsync(LineageTestData.RunEvent("START", runId, "spark", "nightly", inputs: [("postgres://db:5432", "shop.public.orders")],
            eventTime: "2026-11-28T10:00:00+00:00"));
        await server.PostEventOkAsync(LineageTestData.RunEvent("RUNNING", runId, "spark", "nightly", eventTime: "2026-11-28T10:01:00+00:00"));
        var other = Guid.NewGuid().ToString();
        await server.PostEventOkAsync(LineageTestData.RunEvent("START", other, "spark", "nightly", eventTime: "2026-11-27T10:00:00Z"));
        await server.PostEventOkAsync(LineageTestData.RunEvent("FAIL", other, "spark", "nightly", eventTime: "2026-11-27T10:02:00Z"));

        var graph = await server.GraphAsync("job:spark/nightly");
        Assert.Equal(
            new[] { "job:spark/nightly", "olds:file//data/out.parquet", "olds:postgres://db:5432/shop.public.orders" }.Order(StringComparer.Ordinal),
            graph.NodeIds());
        var attributes = graph.Node("job:spark/nightly").GetProperty("attributes");
        Assert.Equal("COMPLETE", attributes.GetProperty("latest_state").GetString());
        Assert.Equal(runId, attributes.GetProperty("latest_run_id").GetString());
        Assert.Equal("2", attributes.GetProperty("run_count").GetString());
        Assert.Equal("file:///data/out.parquet", graph.Node("olds:file//data/out.parquet").GetProperty("attributes").GetProperty("uri").GetString());

        var database = server.Services.GetRequiredService<Database>();
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var run = await connection.QuerySingleAsync<(string State, long Start, long End)>(
            "SELECT state, start_time, end_time FROM openlineage_runs WHERE run_id = @runId", new { runId });
        Assert.Equal("COMPLETE", run.State);
        Assert.Equal(DateTimeOffset.Parse("2026-11-28T10:00:00Z").ToUnixTimeMilliseconds(), run.Start);
        Assert.Equal(DateTimeOffset.Parse("2026-11-28T10:05:00Z").ToUnixTimeMilliseconds(), run.End);
        Assert.Equal("FAIL", await connection.ExecuteScalarAsync<string>("SELECT state FROM openlineage_runs WHERE run_id = @other", new { other }));
        Assert.Equal(5, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM openlineage_events"));
        var body = await connection.ExecuteScalarAsync<string>(
            "SELECT body FROM openlineage_events WHERE run_id = @runId AND event_type = 'COMPLETE'", new { runId });
        var stored = JsonDocument.Parse(body!).RootElement;
        Assert.Equal("nightly", stored.GetProperty("job").GetProperty("name").GetString());
        Assert.Equal("age", stored.GetProperty("outputs")[0].GetProperty("facets").GetProperty("schema").GetProperty("fields")[0].GetProperty("name").GetString());
        var facets = await connection.ExecuteScalarAsync<string>(
            "SELECT facets FROM openlineage_datasets WHERE namespace = 'file' AND name = '/data/out.parquet'");
        Assert.Contains("\"schema\"", facets, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Invalid_events_are_400_naming_the_field(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var valid = JsonSerializer.Serialize(LineageTestData.RunEvent("START", Guid.NewGuid().ToString(), "ns", "job",
            inputs: [("s3://b", "in")], outputs: [("s3://b", "out")]));

        var cases = new (string Json, string Field)[]
        {
            ("{}", "eventTime"),
            ("", "eventTime"),
            (Without(valid, "eventTime"), "eventTime"),
            (With(valid, "eventTime", "\"yesterday\""), "eventTime"),
            (Without(valid, "producer"), "producer"),
            (With(valid, "producer", "\"not a uri\""), "producer"),
            (Without(valid, "schemaURL"), "schemaURL"),
            (With(valid, "eventType", "\"FINISHED\""), "eventType"),
            (Without(valid, "run"), "run"),
            (With(valid, "run", "{}"), "run.runId"),
            (With(valid, "run", "{\"runId\": \"42\"}"), "run.runId"),
            (Without(valid, "job"), "job"),
            (With(valid, "job", "{\"name\": \"x\"}"), "job.namespace"),
            (With(valid, "job", "{\"namespace\": \"x\"}"), "job.name"),
            (With(valid, "job", $"{{\"namespace\": \"x\", \"name\": \"{new string('n', 1001)}\"}}"), "job.name"),
            (With(valid, "inputs", "[{\"namespace\": \"s3://b\"}]"), "inputs[0].name"),
            (With(valid, "outputs", "[{\"name\": \"x\"}]"), "outputs[0].namespace"),
            (With(valid, "outputs", "[null]"), "outputs[0]"),
            (With(valid, "run", "{\"runId\": 42}"), "run.runId"),
            (With(valid, "inputs", "{}"), "inputs"),
            (With(valid, "job", "{\"namespace\": \"x\", \"name\": \"y\", \"facets\": [1]}"), "job.facets"),
            (With(valid, "outputs", "[{\"namespace\": \"x\", \"name\": \"y\", \"outputFacets\": \"big\"}]"), "outputs[0].outputFacets"),
            ("[1, 2]", ""),
            ("{\"eventTime\": ", ""),
        };
        foreach (var (json, field) in cases)
        {
            using var response = await server.PostEventAsync(json);
            var message = await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
            Assert.Contains(field, message, StringComparison.Ordinal);
        }

        using (var ok = await server.PostEventAsync(valid))
        {
            Assert.Equal(201, (int)ok.StatusCode);
        }

        var database = server.Services.GetRequiredService<Database>();
        await using var connection = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM openlineage_events"));
    }

    private static string Without(string json, string field)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove(field);
        return node.ToJsonString();
    }

    private static string With(string json, string field, string valueJson)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node[field] = System.Text.Json.Nodes.JsonNode.Parse(valueJson);
        return node.ToJsonString();
    }
}
