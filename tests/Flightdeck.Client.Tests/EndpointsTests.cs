using System.Text;
using System.Text.Json;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Client.Tests;

public sealed class EndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_endpoint_is_created_scored_rolled_out_promoted_rolled_back_and_deleted()
    {
        // Given a registered model with two versions
        await using var server = await TestServer.StartAsync();
        await TinyModelRegistry.RegisterAsync(server, versions: 2, cancellationToken: Ct);
        using var client = server.CreateClient();
        var rows = TinyModel.Generate(3, seed: 8);
        using var direct = ModelLoader.Load(TinyModel.Instance.PackageDirectory);
        var expected = direct.Predict(TinyModel.Batch(rows));

        // When an endpoint serves version 1 (by alias) and its settings change
        var created = await client.CreateEndpointAsync("scorer", "clf", alias: "champion", description: "Tiny scorer", cancellationToken: Ct);
        var updated = await client.UpdateEndpointAsync("scorer", new UpdateEndpointRequest { Settings = new EndpointSettings { MaxBatchSize = 8 } }, Ct);
        var read = await client.GetEndpointAsync("scorer", Ct);
        var listed = await client.ListEndpointsAsync(Ct);

        // Then it routes all traffic to version 1, with the settings given
        var live = Assert.Single(created.Routes);
        Assert.Equal(new EndpointRoute { ModelName = "clf", Version = "1", Weight = 100, Role = RouteRole.Live }, live);
        Assert.Equal(EndpointState.Ready, created.State);
        Assert.Equal("Tiny scorer", read.Description);
        Assert.Equal(8, updated.Settings.MaxBatchSize);
        Assert.Equal(8, read.Settings.MaxBatchSize);
        Assert.Equal(["scorer"], listed.Select(e => e.Name));

        // And it scores records, a JSON body and an Open Inference request, saying version 1 served them
        var byRecords = await client.InvokeEndpointAsync("scorer", rows.Select(Record).ToList(), cancellationToken: Ct);
        var byJson = await client.InvokeEndpointAsync("scorer", Payloads.DataframeSplit(rows), cancellationToken: Ct);
        var byInfer = await client.InferEndpointAsync("scorer", Encoding.UTF8.GetBytes(Payloads.OpenInferenceInfer(rows)), cancellationToken: Ct);
        Assert.Equal("1", byRecords.ServedVersion);
        Payloads.AssertSamePredictions(expected, byRecords.Predictions);
        Payloads.AssertSamePredictions(expected, byJson.Predictions);
        Assert.Equal("1", byInfer.ServedVersion);
        Assert.Equal(JsonValueKind.Array, byInfer.Predictions.ValueKind);

        // When version 2 is rolled out by canary
        var deploying = await client.DeployAsync("scorer", new DeployRequest
        {
            Version = "2",
            Strategy = RolloutStrategy.Canary,
            Steps = [10, 100],
            BakeSeconds = 600,
            Guardrails = new RolloutGuardrails { MaxErrorRate = 0.05, MaxP99LatencyMs = 250 },
        }, Ct);

        // Then 10% goes to the candidate, a pin header reaches either version, and a routing key sticks
        Assert.Equal(EndpointState.Updating, deploying.State);
        var rollout = deploying.Rollout!;
        Assert.Equal((RolloutStatus.InProgress, "2", "1", 0), (rollout.Status, rollout.CandidateVersion, rollout.BaselineVersion, rollout.CurrentStep));
        Assert.Equal([10, 100], rollout.Steps);
        Assert.Equal(0.05, rollout.Guardrails.MaxErrorRate);
        Assert.Equal(new Dictionary<string, int> { ["1"] = 90, ["2"] = 10 }, deploying.Routes.ToDictionary(r => r.Version, r => r.Weight));
        var pinned2 = await client.InvokeEndpointAsync("scorer", Payloads.DataframeSplit(rows), new EndpointInvocationOptions { PinVersion = "2" }, Ct);
        var pinned1 = await client.InvokeEndpointAsync("scorer", Payloads.DataframeSplit(rows), new EndpointInvocationOptions { PinVersion = "1" }, Ct);
        Assert.Equal("2", pinned2.ServedVersion);
        Assert.Equal("1", pinned1.ServedVersion);
        Payloads.AssertSamePredictions(expected, pinned2.Predictions);
        var sticky = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            sticky.Add((await client.InvokeEndpointAsync("scorer", Payloads.DataframeSplit(rows),
                new EndpointInvocationOptions { RoutingKey = "customer-42" }, Ct)).ServedVersion);
        }

        Assert.Single(sticky.Distinct());

        // When it is promoted, then another rollout is rolled back
        var promoted = await client.PromoteAsync("scorer", "canary looks good", Ct);
        await client.DeployAsync("scorer", new DeployRequest { Alias = "champion", Strategy = RolloutStrategy.Linear, BakeSeconds = 600 }, Ct);
        var rolledBack = await client.RollbackAsync("scorer", "changed my mind", Ct);
        var history = await client.GetEndpointHistoryAsync("scorer", cancellationToken: Ct);
        var firstPage = await client.GetEndpointHistoryAsync("scorer", maxResults: 2, cancellationToken: Ct);
        var secondPage = await client.GetEndpointHistoryAsync("scorer", maxResults: 2, pageToken: firstPage.NextPageToken, cancellationToken: Ct);

        // Then the traffic follows, and every change is in the history, newest first
        Assert.Equal(new EndpointRoute { ModelName = "clf", Version = "2", Weight = 100, Role = RouteRole.Live }, Assert.Single(promoted.Routes));
        Assert.Equal((RolloutStatus.Succeeded, "canary looks good"), (promoted.Rollout!.Status, promoted.Rollout.Reason));
        Assert.Equal("2", Assert.Single(rolledBack.Routes).Version);
        Assert.Equal((RolloutStatus.RolledBack, "changed my mind", RolloutStrategy.Linear), (rolledBack.Rollout!.Status, rolledBack.Rollout.Reason,
            rolledBack.Rollout.Strategy));
        Assert.Equal([EndpointEventType.RolledBack, EndpointEventType.RolloutStarted, EndpointEventType.Promoted, EndpointEventType.RolloutStarted,
            EndpointEventType.SettingsChanged, EndpointEventType.Created], history.Events.Select(e => e.Type));
        Assert.Equal(history.Events.Take(4).Select(e => e.EventId), firstPage.Events.Concat(secondPage.Events).Select(e => e.EventId));
        Assert.Equal("changed my mind", history.Events[0].Reason);

        // When it is deleted, it is gone
        await client.DeleteEndpointAsync("scorer", Ct);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetEndpointAsync("scorer", Ct));
        Assert.Empty(await client.ListEndpointsAsync(Ct));
    }

    [Fact]
    public async Task Endpoint_errors_arrive_as_typed_exceptions()
    {
        await using var server = await TestServer.StartAsync();
        await TinyModelRegistry.RegisterAsync(server, versions: 1, cancellationToken: Ct);
        using var client = server.CreateClient();
        await client.CreateEndpointAsync("scorer", "clf", version: "1", cancellationToken: Ct);

        await Assert.ThrowsAsync<ResourceAlreadyExistsException>(() => client.CreateEndpointAsync("scorer", "clf", version: "1", cancellationToken: Ct));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.CreateEndpointAsync("other", "missing", version: "1", cancellationToken: Ct));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetEndpointAsync("nope", Ct));
        await Assert.ThrowsAsync<InvalidParameterException>(() => client.GetEndpointAsync("bad name!", Ct));
        var conflict = await Assert.ThrowsAsync<FlightdeckApiException>(() => client.PromoteAsync("scorer", cancellationToken: Ct));
        Assert.Equal(ErrorCode.ResourceConflict, conflict.ErrorCode);
        var wrongColumns = await Assert.ThrowsAsync<InvalidParameterException>(() =>
            client.InvokeEndpointAsync("scorer", """{"dataframe_split": {"columns": ["nope"], "data": [[1]]}}""", cancellationToken: Ct));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, wrongColumns.HttpStatus);
        await Assert.ThrowsAsync<InvalidParameterException>(() =>
            client.InvokeEndpointAsync("scorer", Payloads.DataframeSplit(TinyModel.Generate(1, 1)), new EndpointInvocationOptions { PinVersion = "7" }, Ct));
        Assert.Throws<ArgumentException>(() => { _ = client.InvokeEndpointAsync("scorer", [new Dictionary<string, object?> { ["F1"] = DateTime.Now }], cancellationToken: Ct); });
    }

    private static IReadOnlyDictionary<string, object?> Record(TinyModel.Row row) => new Dictionary<string, object?>
    {
        ["F1"] = row.F1, ["F2"] = row.F2, ["F3"] = row.F3, ["Age"] = row.Age, ["Region"] = row.Region,
    };
}
