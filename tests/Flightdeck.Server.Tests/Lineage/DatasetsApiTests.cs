using System.Net.Http.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Lineage;

public sealed class DatasetsApiTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Datasets_are_searched_by_experiment_and_name_and_listed_with_the_runs_that_used_them(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var churn = await server.CreateExperimentAsync("churn");
        var fraud = await server.CreateExperimentAsync("fraud");
        var first = await server.CreateRunAsync(churn, "first");
        var second = await server.CreateRunAsync(churn, "second");
        var other = await server.CreateRunAsync(fraud, "other");
        await server.LogInputAsync(first, "Train_Set", "d1", """{"uri": "s3://bucket/train.csv"}""", ("mlflow.data.context", "training"));
        await server.LogInputAsync(second, "Train_Set", "d1", """{"uri": "s3://bucket/train.csv"}""", ("mlflow.data.context", "validation"));
        await server.LogInputAsync(second, "holdout", "d2", "s3://bucket/holdout.csv");
        await server.LogInputAsync(other, "Train_Set", "d9", """{"url": "https://example.com/train.csv"}""");

        var all = (await server.GetFlightdeckAsync("datasets")).GetProperty("datasets").EnumerateArray().ToList();
        Assert.Equal(3, all.Count);
        Assert.All(all, d => Assert.False(d.TryGetProperty("profile", out _))); // large fields only on the single-dataset answer

        var inChurn = (await server.GetFlightdeckAsync($"datasets?experiment_id={churn}")).GetProperty("datasets").EnumerateArray().ToList();
        Assert.Equal(["Train_Set", "holdout"], inChurn.Select(d => d.GetProperty("name").GetString()).ToList());
        Assert.Equal(2, inChurn[0].GetProperty("run_count").GetInt32());
        Assert.Equal("s3://bucket/holdout.csv", inChurn[1].GetProperty("source_uri").GetString());

        var byName = (await server.GetFlightdeckAsync("datasets?name=Train_Set")).GetProperty("datasets");
        Assert.Equal(2, byName.GetArrayLength());
        var fragment = (await server.GetFlightdeckAsync("datasets?name_contains=N_s")).GetProperty("datasets");
        Assert.Equal(2, fragment.GetArrayLength());
        var literalUnderscore = (await server.GetFlightdeckAsync("datasets?name_contains=n_s")).GetProperty("datasets");
        Assert.Equal(2, literalUnderscore.GetArrayLength());
        Assert.Equal(0, (await server.GetFlightdeckAsync("datasets?name_contains=%25")).GetProperty("datasets").GetArrayLength());
        var both = (await server.GetFlightdeckAsync($"datasets?experiment_id={churn}&experiment_id={fraud}&name=Train_Set")).GetProperty("datasets");
        Assert.Equal([churn, fraud], both.EnumerateArray().Select(d => d.GetProperty("experiment_id").GetString()).ToList());

        var page1 = await server.GetFlightdeckAsync("datasets?max_results=2");
        Assert.Equal(2, page1.GetProperty("datasets").GetArrayLength());
        var token = page1.GetProperty("next_page_token").GetString();
        var page2 = await server.GetFlightdeckAsync($"datasets?max_results=2&page_token={Uri.EscapeDataString(token!)}");
        Assert.Equal(1, page2.GetProperty("datasets").GetArrayLength());
        Assert.False(page2.TryGetProperty("next_page_token", out _));

        var trainId = await server.DatasetIdAsync(churn, "Train_Set");
        var got = await server.GetFlightdeckAsync($"datasets/{trainId}");
        var dataset = got.GetProperty("dataset");
        Assert.Equal("d1", dataset.GetProperty("digest").GetString());
        Assert.Equal("""{"num_rows":3}""", dataset.GetProperty("profile").GetString());
        Assert.Equal("""{"mlflow_colspec":[]}""", dataset.GetProperty("schema").GetString());
        Assert.Equal("s3://bucket/train.csv", dataset.GetProperty("source_uri").GetString());
        var runs = got.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), runs.Select(r => r.GetProperty("run_id").GetString()!).Order(StringComparer.Ordinal));
        var secondUsage = runs.Single(r => r.GetProperty("run_id").GetString() == second);
        Assert.Equal("second", secondUsage.GetProperty("run_name").GetString());
        Assert.Equal("validation", secondUsage.GetProperty("tags")[0].GetProperty("value").GetString());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task The_owner_comes_from_the_first_owner_tag_and_can_be_set(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var experiment = await server.CreateExperimentAsync("owned");
        var first = await server.CreateRunAsync(experiment);
        var second = await server.CreateRunAsync(experiment);
        await server.LogInputAsync(first, "train", "d1", "s3://b/t.csv");
        var id = await server.DatasetIdAsync(experiment, "train");
        Assert.False((await server.GetFlightdeckAsync($"datasets/{id}")).GetProperty("dataset").TryGetProperty("owner", out _));

        await server.LogInputAsync(first, "train", "d1", "s3://b/t.csv", ("flightdeck.owner", "data-platform"));
        await server.LogInputAsync(second, "train", "d1", "s3://b/t.csv", ("flightdeck.owner", "someone-else"));
        Assert.Equal("data-platform", (await server.GetFlightdeckAsync($"datasets/{id}")).GetProperty("dataset").GetProperty("owner").GetString());
        Assert.Equal(1, (await server.GetFlightdeckAsync("datasets?owner=data-platform")).GetProperty("datasets").GetArrayLength());

        using (var set = await server.Http.PutAsJsonAsync($"api/flightdeck/v1/datasets/{id}/owner", new { owner = "ml-team" }))
        {
            var record = await TestServer.ReadOkAsync(set);
            Assert.Equal("ml-team", record.GetProperty("owner").GetString());
        }

        Assert.Equal("ml-team", (await server.GetFlightdeckAsync($"datasets/{id}")).GetProperty("dataset").GetProperty("owner").GetString());
        using (var clear = await server.Http.PutAsJsonAsync($"api/flightdeck/v1/datasets/{id}/owner", new { owner = "" }))
        {
            Assert.False((await TestServer.ReadOkAsync(clear)).TryGetProperty("owner", out _));
        }

        using (var tooLong = await server.Http.PutAsJsonAsync($"api/flightdeck/v1/datasets/{id}/owner", new { owner = new string('o', 257) }))
        {
            await TestServer.ReadErrorAsync(tooLong, 400, ErrorCode.InvalidParameterValue);
        }

        using (var tagTooLong = await server.PostAsync("runs/log-inputs", new
        {
            run_id = first,
            datasets = new[] { new { tags = new[] { new { key = "flightdeck.owner", value = new string('o', 300) } }, dataset = new { name = "x", digest = "d", source_type = "s3", source = "s3://b/x" } } },
        }))
        {
            Assert.Contains("owner", await TestServer.ReadErrorAsync(tagTooLong, 400, ErrorCode.InvalidParameterValue), StringComparison.Ordinal);
        }

        using (var unknown = await server.Http.PutAsJsonAsync($"api/flightdeck/v1/datasets/{Guid.NewGuid()}/owner", new { owner = "x" }))
        {
            await TestServer.ReadErrorAsync(unknown, 404, ErrorCode.ResourceDoesNotExist);
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Bad_dataset_requests_are_4xx(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        foreach (var (route, status, code) in new[]
        {
            ($"datasets/{Guid.NewGuid()}", 404, ErrorCode.ResourceDoesNotExist),
            ("datasets/not-a-uuid", 404, ErrorCode.ResourceDoesNotExist),
            ("datasets?experiment_id=abc", 404, ErrorCode.ResourceDoesNotExist),
            ("datasets?max_results=0", 400, ErrorCode.InvalidParameterValue),
            ("datasets?max_results=1001", 400, ErrorCode.InvalidParameterValue),
            ("datasets?page_token=garbage", 400, ErrorCode.InvalidParameterValue),
        })
        {
            using var response = await server.GetFlightdeckRawAsync(route);
            await TestServer.ReadErrorAsync(response, status, code);
        }
    }
}
