using System.Runtime.CompilerServices;
using Flightdeck.Client.Http;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

public sealed partial class FlightdeckClient
{
    private static FlightdeckJsonContext Json => FlightdeckJsonContext.Default;

    /// <summary>POST experiments/create. A duplicate name throws <see cref="ResourceAlreadyExistsException"/>.</summary>
    public Task<CreateExperimentResponse> CreateExperimentAsync(CreateExperimentRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/create", request, Json.CreateExperimentRequest, Json.CreateExperimentResponse, cancellationToken);

    /// <summary>Creates an experiment and returns its id.</summary>
    public async Task<string> CreateExperimentAsync(
        string name, string? artifactLocation = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        var request = new CreateExperimentRequest
        {
            Name = name,
            ArtifactLocation = artifactLocation,
            Tags = tags?.Select(t => new ExperimentTag(t.Key, t.Value)).ToList(),
        };
        return (await CreateExperimentAsync(request, cancellationToken)).ExperimentId;
    }

    /// <summary>GET experiments/get. Deleted experiments are returned too.</summary>
    public Task<GetExperimentResponse> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        GetAsync("experiments/get", new QueryString().Add("experiment_id", experimentId), Json.GetExperimentResponse, cancellationToken);

    /// <summary>GET experiments/get-by-name; a missing name throws <see cref="ResourceNotFoundException"/>.</summary>
    public Task<GetExperimentResponse> GetExperimentByNameAsync(string experimentName, CancellationToken cancellationToken = default) =>
        GetAsync("experiments/get-by-name", new QueryString().Add("experiment_name", experimentName), Json.GetExperimentResponse, cancellationToken);

    /// <summary>POST experiments/search: one page of experiments.</summary>
    public Task<SearchExperimentsResponse> SearchExperimentsAsync(SearchExperimentsRequest? request = null, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/search", request ?? new SearchExperimentsRequest(), Json.SearchExperimentsRequest, Json.SearchExperimentsResponse,
            cancellationToken);

    /// <summary>Every experiment matching <paramref name="request"/>, following page tokens.</summary>
    public async IAsyncEnumerable<Experiment> EnumerateExperimentsAsync(
        SearchExperimentsRequest? request = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = request ?? new SearchExperimentsRequest();
        while (true)
        {
            var answer = await SearchExperimentsAsync(page, cancellationToken);
            foreach (var experiment in answer.Experiments)
            {
                yield return experiment;
            }

            if (string.IsNullOrEmpty(answer.NextPageToken))
            {
                yield break;
            }

            page = page with { PageToken = answer.NextPageToken };
        }
    }

    /// <summary>POST experiments/update (rename).</summary>
    public Task UpdateExperimentAsync(UpdateExperimentRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/update", request, Json.UpdateExperimentRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>Renames an experiment.</summary>
    public Task UpdateExperimentAsync(string experimentId, string newName, CancellationToken cancellationToken = default) =>
        UpdateExperimentAsync(new UpdateExperimentRequest { ExperimentId = experimentId, NewName = newName }, cancellationToken);

    /// <summary>POST experiments/delete: marks the experiment and its runs deleted (restorable until garbage-collected).</summary>
    public Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/delete", new ExperimentIdRequest { ExperimentId = experimentId }, Json.ExperimentIdRequest, Json.EmptyResponse,
            cancellationToken);

    /// <summary>POST experiments/restore.</summary>
    public Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/restore", new ExperimentIdRequest { ExperimentId = experimentId }, Json.ExperimentIdRequest, Json.EmptyResponse,
            cancellationToken);

    /// <summary>POST experiments/set-experiment-tag.</summary>
    public Task SetExperimentTagAsync(SetExperimentTagRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/set-experiment-tag", request, Json.SetExperimentTagRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>Sets a tag on an experiment.</summary>
    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken = default) =>
        SetExperimentTagAsync(new SetExperimentTagRequest { ExperimentId = experimentId, Key = key, Value = value }, cancellationToken);

    /// <summary>POST experiments/delete-experiment-tag.</summary>
    public Task DeleteExperimentTagAsync(DeleteExperimentTagRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/delete-experiment-tag", request, Json.DeleteExperimentTagRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>Deletes a tag of an experiment.</summary>
    public Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken cancellationToken = default) =>
        DeleteExperimentTagAsync(new DeleteExperimentTagRequest { ExperimentId = experimentId, Key = key }, cancellationToken);

    /// <summary>POST /api/flightdeck/v1/gc: permanently deletes runs and experiments deleted before the cut-off, with their artifacts.</summary>
    public Task<GcResponse> GcAsync(GcRequest? request = null, CancellationToken cancellationToken = default) =>
        PostAsync("gc", request ?? new GcRequest(), Json.GcRequest, Json.GcResponse, cancellationToken, prefix: "api/flightdeck/v1/");

    /// <summary>Permanently deletes what was deleted more than <paramref name="olderThan"/> ago.</summary>
    public Task<GcResponse> GcAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) =>
        GcAsync(new GcRequest { OlderThanMs = (long)olderThan.TotalMilliseconds }, cancellationToken);
}
