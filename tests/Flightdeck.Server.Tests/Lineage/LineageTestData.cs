using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Lineage;

/// <summary>Builds the lineage tests' data through the public API: runs with dataset inputs, model versions, OpenLineage events.</summary>
internal static class LineageTestData
{
    public static async Task<string> CreateExperimentAsync(this TestServer server, string name) =>
        (await server.PostOkAsync("experiments/create", new { name })).GetProperty("experiment_id").GetString()!;

    public static async Task<string> CreateRunAsync(this TestServer server, string experimentId, string? name = null) =>
        (await server.PostOkAsync("runs/create", new { experiment_id = experimentId, run_name = name }))
            .GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;

    public static Task LogInputAsync(this TestServer server, string runId, string name, string digest, string source,
        params (string Key, string Value)[] tags) =>
        server.PostOkAsync("runs/log-inputs", new
        {
            run_id = runId,
            datasets = new[]
            {
                new
                {
                    tags = tags.Select(t => new { key = t.Key, value = t.Value }).ToArray(),
                    dataset = new { name, digest, source_type = "s3", source, schema = """{"mlflow_colspec":[]}""", profile = """{"num_rows":3}""" },
                },
            },
        });

    public static async Task RegisterAsync(this TestServer server, string model, string runId)
    {
        using (var exists = await server.GetAsync($"registered-models/get?name={Uri.EscapeDataString(model)}"))
        {
            if (!exists.IsSuccessStatusCode)
            {
                await server.PostOkAsync("registered-models/create", new { name = model });
            }
        }

        await server.PostOkAsync("model-versions/create", new { name = model, source = $"runs:/{runId}/model", run_id = runId });
    }

    public static async Task<string> DatasetIdAsync(this TestServer server, string experimentId, string name)
    {
        var page = await server.GetFlightdeckAsync($"datasets?experiment_id={experimentId}&name={Uri.EscapeDataString(name)}");
        return page.GetProperty("datasets").EnumerateArray().Single().GetProperty("dataset_id").GetString()!;
    }

    public static Task<HttpResponseMessage> PostEventAsync(this TestServer server, string json) =>
        server.Http.PostAsync("api/v1/lineage", new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task PostEventOkAsync(this TestServer server, object body)
    {
        using var response = await server.Http.PostAsJsonAsync("api/v1/lineage", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("", text);
    }

    /// <summary>A RunEvent as an Airflow or Spark integration sends it.</summary>
    public static object RunEvent(string eventType, string runId, string jobNamespace, string jobName,
        (string Ns, string Name)[]? inputs = null, (string Ns, string Name)[]? outputs = null, string eventTime = "2026-11-28T10:00:00.000Z") => new
    {
        eventType,
        eventTime,
        run = new { runId, facets = new { nominalTime = new { _producer = "https://example.com/p", _schemaURL = "https://example.com/s", nominalStartTime = eventTime } } },
        job = new { @namespace = jobNamespace, name = jobName },
        inputs = (inputs ?? []).Select(d => new { @namespace = d.Ns, name = d.Name }).ToArray(),
        outputs = (outputs ?? []).Select(d => new
        {
            @namespace = d.Ns,
            name = d.Name,
            facets = new { schema = new { _producer = "https://example.com/p", _schemaURL = "https://example.com/s", fields = new[] { new { name = "age", type = "int" } } } },
        }).ToArray(),
        producer = "https://github.com/apache/airflow/tree/providers-openlineage/2.0.0",
        schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    };

    public static async Task<JsonElement> GetFlightdeckAsync(this TestServer server, string routeAndQuery)
    {
        using var response = await server.Http.GetAsync("api/flightdeck/v1/" + routeAndQuery);
        return await TestServer.ReadOkAsync(response);
    }

    public static Task<HttpResponseMessage> GetFlightdeckRawAsync(this TestServer server, string routeAndQuery) =>
        server.Http.GetAsync("api/flightdeck/v1/" + routeAndQuery);

    public static Task<JsonElement> GraphAsync(this TestServer server, string node, string direction = "both", int? depth = null) =>
        server.GetFlightdeckAsync($"lineage?node={Uri.EscapeDataString(node)}&direction={direction}" + (depth is { } d ? $"&depth={d}" : ""));

    public static List<string> NodeIds(this JsonElement graph) =>
        [.. graph.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];

    public static List<string> Edges(this JsonElement graph) =>
        [.. graph.GetProperty("edges").EnumerateArray()
            .Select(e => $"{e.GetProperty("source").GetString()} -{e.GetProperty("kind").GetString()}-> {e.GetProperty("target").GetString()}")
            .Order(StringComparer.Ordinal)];

    public static JsonElement Node(this JsonElement graph, string id) =>
        graph.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == id);
}
