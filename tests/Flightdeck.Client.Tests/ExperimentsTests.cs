using System.Net;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class ExperimentsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_experiment_round_trips_through_create_get_rename_tag_delete_and_restore()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();

        var id = await client.CreateExperimentAsync("demo", tags: new Dictionary<string, string> { ["team"] = "vision" }, cancellationToken: Ct);
        var byId = (await client.GetExperimentAsync(id, Ct)).Experiment;
        var byName = (await client.GetExperimentByNameAsync("demo", Ct)).Experiment;
        Assert.Equal("demo", byId.Name);
        Assert.Equal(id, byName.ExperimentId);
        Assert.Contains(new ExperimentTag("team", "vision"), byId.Tags);

        await client.UpdateExperimentAsync(id, "demo-renamed", Ct);
        await client.SetExperimentTagAsync(id, "owner", "ada", Ct);
        await client.DeleteExperimentTagAsync(id, "team", Ct);
        var updated = (await client.GetExperimentAsync(id, Ct)).Experiment;
        Assert.Equal("demo-renamed", updated.Name);
        Assert.Equal([new ExperimentTag("owner", "ada")], updated.Tags);

        await client.DeleteExperimentAsync(id, Ct);
        Assert.Equal(LifecycleStage.Deleted, (await client.GetExperimentAsync(id, Ct)).Experiment.LifecycleStage);
        await client.RestoreExperimentAsync(id, Ct);
        Assert.Equal(LifecycleStage.Active, (await client.GetExperimentAsync(id, Ct)).Experiment.LifecycleStage);
    }

    [Fact]
    public async Task Server_errors_become_typed_exceptions_with_the_http_status()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await client.CreateExperimentAsync("taken", cancellationToken: Ct);

        var duplicate = await Assert.ThrowsAsync<ResourceAlreadyExistsException>(() => client.CreateExperimentAsync("taken", cancellationToken: Ct));
        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetExperimentByNameAsync("nope", Ct));
        var invalid = await Assert.ThrowsAsync<InvalidParameterException>(() => client.CreateExperimentAsync(new CreateExperimentRequest(), Ct));

        Assert.Equal(ErrorCode.ResourceAlreadyExists, duplicate.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.HttpStatus);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("name", invalid.Message);
    }

    [Fact]
    public async Task Enumerating_experiments_follows_page_tokens()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        for (var i = 0; i < 7; i++)
        {
            await client.CreateExperimentAsync($"exp-{i}", cancellationToken: Ct);
        }

        var firstPage = await client.SearchExperimentsAsync(new SearchExperimentsRequest { MaxResults = 3, Filter = "name LIKE 'exp-%'" }, Ct);
        var all = await client.EnumerateExperimentsAsync(
            new SearchExperimentsRequest { MaxResults = 3, Filter = "name LIKE 'exp-%'", OrderBy = ["name ASC"] }, Ct).ToListAsync(Ct);

        Assert.Equal(3, firstPage.Experiments.Count);
        Assert.NotNull(firstPage.NextPageToken);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"exp-{i}"), all.Select(e => e.Name));
    }

    [Fact]
    public async Task An_unknown_route_gives_EndpointNotFoundException()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<EndpointNotFoundException>(() => client.PostAsync("no/such/route", new ExperimentIdRequest(),
            FlightdeckJsonContext.Default.ExperimentIdRequest, FlightdeckJsonContext.Default.EmptyResponse, Ct));

        Assert.Equal(HttpStatusCode.NotFound, error.HttpStatus);
    }

    [Fact]
    public async Task An_unreachable_server_gives_FlightdeckConnectionException_naming_the_uri()
    {
        string address;
        await using (var server = await TestServer.StartAsync())
        {
            address = server.BaseAddress.ToString();
        }

        using var client = new FlightdeckClient(new Uri(address));
        var error = await Assert.ThrowsAsync<FlightdeckConnectionException>(() => client.GetExperimentAsync("0", Ct));

        Assert.Contains(address, error.Message);
        Assert.Equal(ErrorCode.TemporarilyUnavailable, error.ErrorCode);
    }
}
