using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class RegistryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_registered_model_is_created_tagged_described_renamed_and_deleted()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();

        var created = await client.CreateRegisteredModelAsync("fraud", "first", new Dictionary<string, string> { ["team"] = "risk" }, Ct);
        await client.SetRegisteredModelTagAsync("fraud", "tier", "gold", Ct);
        await client.DeleteRegisteredModelTagAsync("fraud", "team", Ct);
        var described = await client.UpdateRegisteredModelAsync("fraud", "second", Ct);
        var renamed = await client.RenameRegisteredModelAsync("fraud", "fraud-v2", Ct);
        var fetched = await client.GetRegisteredModelAsync("fraud-v2", Ct);

        Assert.Equal("first", created.Description);
        Assert.Equal("second", described.Description);
        Assert.Equal("fraud-v2", renamed.Name);
        Assert.Equal([new RegisteredModelTag("tier", "gold")], fetched.Tags);
        await Assert.ThrowsAsync<ResourceAlreadyExistsException>(() => client.CreateRegisteredModelAsync("fraud-v2", cancellationToken: Ct));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetRegisteredModelAsync("fraud", Ct));

        await client.DeleteRegisteredModelAsync("fraud-v2", Ct);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetRegisteredModelAsync("fraud-v2", Ct));
    }

    [Fact]
    public async Task Versions_are_numbered_tagged_staged_aliased_and_deleted()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("registry", cancellationToken: Ct);
        await client.CreateRegisteredModelAsync("churn", cancellationToken: Ct);

        var v1 = await client.CreateModelVersionAsync("churn", $"runs:/{run.RunId}/model", run.RunId,
            new Dictionary<string, string> { ["validated"] = "no" }, "baseline", Ct);
        var v2 = await client.CreateModelVersionAsync("churn", $"runs:/{run.RunId}/model2", run.RunId, cancellationToken: Ct);
        await client.SetModelVersionTagAsync("churn", "1", "validated", "yes", Ct);
        await client.SetModelVersionTagAsync("churn", "1", "temp", "x", Ct);
        await client.DeleteModelVersionTagAsync("churn", "1", "temp", Ct);
        var described = await client.UpdateModelVersionAsync("churn", "2", "candidate", Ct);
        await client.TransitionModelVersionStageAsync("churn", "1", "production", cancellationToken: Ct);
        var promoted = await client.TransitionModelVersionStageAsync("churn", "2", ModelStage.Production, archiveExistingVersions: true, Ct);
        await client.SetRegisteredModelAliasAsync("churn", "champion", "2", Ct);
        var champion = await client.GetModelVersionByAliasAsync("churn", "champion", Ct);
        var production = await client.GetLatestVersionsAsync("churn", [ModelStage.Production], Ct);
        var downloadUri = await client.GetModelVersionDownloadUriAsync("churn", "1", Ct);
        var fetched = await client.GetModelVersionAsync("churn", "1", Ct);

        Assert.Equal(("1", "2"), (v1.Version, v2.Version));
        Assert.Equal("candidate", described.Description);
        Assert.Equal([new ModelVersionTag("validated", "yes")], fetched.Tags);
        Assert.Equal(ModelStage.Archived, fetched.CurrentStage);
        Assert.Equal(ModelStage.Production, promoted.CurrentStage);
        Assert.Equal("2", champion.Version);
        Assert.Equal(["champion"], champion.Aliases);
        Assert.Equal("2", Assert.Single(production).Version);
        Assert.Equal(run.ArtifactUri + "/model", downloadUri);

        await client.DeleteRegisteredModelAliasAsync("churn", "champion", Ct);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetModelVersionByAliasAsync("churn", "champion", Ct));
        await client.DeleteModelVersionAsync("churn", "1", Ct);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetModelVersionAsync("churn", "1", Ct));
        await Assert.ThrowsAsync<InvalidParameterException>(() => client.GetModelVersionAsync("churn", "one", Ct));
    }

    [Fact]
    public async Task Searches_filter_order_and_follow_page_tokens()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        foreach (var name in new[] { "model-a", "model-b", "model-c", "other" })
        {
            await client.CreateRegisteredModelAsync(name, tags: new Dictionary<string, string> { ["kind"] = name == "model-b" ? "tree" : "linear" },
                cancellationToken: Ct);
            await client.CreateModelVersionAsync(name, "s3://bucket/" + name, cancellationToken: Ct);
            await client.CreateModelVersionAsync(name, "s3://bucket/" + name + "-2", cancellationToken: Ct);
        }

        var firstPage = await client.SearchRegisteredModelsAsync("name LIKE 'model-%'", ["name DESC"], maxResults: 2, cancellationToken: Ct);
        var secondPage = await client.SearchRegisteredModelsAsync("name LIKE 'model-%'", ["name DESC"], maxResults: 2, firstPage.NextPageToken, Ct);
        var byTag = await client.EnumerateRegisteredModelsAsync("tags.kind = 'tree'", cancellationToken: Ct).ToListAsync(Ct);
        var versions = await client.SearchModelVersionsAsync("name = 'model-c'", ["version_number DESC"], maxResults: 1, cancellationToken: Ct);
        var allVersions = await client.EnumerateModelVersionsAsync("name LIKE 'model-%'", ["name ASC", "version_number ASC"], Ct).ToListAsync(Ct);

        Assert.Equal(["model-c", "model-b"], firstPage.RegisteredModels.Select(m => m.Name));
        Assert.Equal(["model-a"], secondPage.RegisteredModels.Select(m => m.Name));
        Assert.Null(secondPage.NextPageToken);
        Assert.Equal("model-b", Assert.Single(byTag).Name);
        Assert.Equal("2", Assert.Single(versions.ModelVersions).Version);
        Assert.NotNull(versions.NextPageToken);
        Assert.Equal(["model-a/1", "model-a/2", "model-b/1", "model-b/2", "model-c/1", "model-c/2"], allVersions.Select(v => $"{v.Name}/{v.Version}"));
        await Assert.ThrowsAsync<InvalidParameterException>(() => client.SearchRegisteredModelsAsync("nonsense ==", cancellationToken: Ct));
    }

    [Fact]
    public async Task History_lists_the_timeline_and_answers_which_version_held_an_alias()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await client.CreateRegisteredModelAsync("scoring", cancellationToken: Ct);
        await client.CreateModelVersionAsync("scoring", "s3://bucket/1", cancellationToken: Ct);
        await client.CreateModelVersionAsync("scoring", "s3://bucket/2", cancellationToken: Ct);
        await client.SetRegisteredModelAliasAsync("scoring", "champion", "1", Ct);
        await Task.Delay(20, Ct);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(20, Ct);
        await client.SetRegisteredModelAliasAsync("scoring", "champion", "2", Ct);

        var history = await client.GetRegisteredModelHistoryAsync("scoring", Ct);
        var then = await client.GetAliasAtAsync("scoring", "champion", between, Ct);
        var now = await client.GetAliasAtAsync("scoring", "champion", DateTimeOffset.UtcNow.AddSeconds(1), Ct);

        Assert.Equal(
            [RegistryEventType.ModelCreated, RegistryEventType.VersionCreated, RegistryEventType.VersionCreated, RegistryEventType.AliasSet, RegistryEventType.AliasSet],
            history.Select(e => e.EventType));
        Assert.Equal("1", then.Version);
        Assert.Equal("2", now.Version);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetAliasAtAsync("scoring", "champion", between.AddDays(-1), Ct));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetRegisteredModelHistoryAsync("nope", Ct));
    }
}
