using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Tracking;

/// <summary>MLflow's experiments endpoints.</summary>
internal static class ExperimentsApi
{
    private static readonly FlightdeckJsonContext Json = FlightdeckJsonContext.Default;

    public static void MapExperimentsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/experiments/create", Create);
        api.MapGet("/experiments/get", Get);
        api.MapGet("/experiments/get-by-name", GetByName);
        api.MapPost("/experiments/update", Update);
        api.MapPost("/experiments/delete", Delete);
        api.MapPost("/experiments/restore", Restore);
        api.MapPost("/experiments/set-experiment-tag", SetTag);
        api.MapPost("/experiments/delete-experiment-tag", DeleteTag);
        api.MapGet("/experiments/list", List);
    }

    private static async Task<IResult> Create(HttpContext context, ExperimentStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.CreateExperimentRequest);
        var name = Validation.Required(request.Name, "name");
        if (name.Length > Validation.MaxExperimentNameLength)
        {
            throw FlightdeckException.InvalidParameter(
                $"Experiment name exceeds the maximum length of {Validation.MaxExperimentNameLength} characters.");
        }

        var tags = (request.Tags ?? []).Select((t, i) => new ExperimentTag(
            Validation.Key(t?.Key, "tag", $"tags[{i}].key"),
            Validation.Value(t!.Value, Validation.MaxTagValueLength, "Tag", t.Key!, $"tags[{i}].value"))).ToList();
        var location = ValidateArtifactLocation(request.ArtifactLocation);
        var id = await store.CreateAsync(name, location, tags, context.RequestAborted);
        return TypedResults.Json(new CreateExperimentResponse(id), Json.CreateExperimentResponse);
    }

    private static async Task<IResult> Get(HttpContext context, ExperimentStore store)
    {
        var id = Validation.ExperimentId(context.Request.Query.String("experiment_id"));
        var experiment = await store.GetAsync(id, context.RequestAborted);
        return TypedResults.Json(new GetExperimentResponse(experiment), Json.GetExperimentResponse);
    }

    private static async Task<IResult> GetByName(HttpContext context, ExperimentStore store)
    {
        var name = Validation.Required(context.Request.Query.String("experiment_name"), "experiment_name");
        var experiment = await store.GetByNameAsync(name, context.RequestAborted);
        return TypedResults.Json(new GetExperimentResponse(experiment), Json.GetExperimentResponse);
    }

    private static async Task<IResult> Update(HttpContext context, ExperimentStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.UpdateExperimentRequest);
        var id = Validation.ExperimentId(request.ExperimentId);
        if (!string.IsNullOrEmpty(request.NewName))
        {
            if (request.NewName.Length > Validation.MaxExperimentNameLength)
            {
                throw FlightdeckException.InvalidParameter(
                    $"Experiment name exceeds the maximum length of {Validation.MaxExperimentNameLength} characters.");
            }

            await store.RenameAsync(id, request.NewName, context.RequestAborted);
        }
        else
        {
            await store.GetAsync(id, context.RequestAborted);
        }

        return Empty();
    }

    private static async Task<IResult> Delete(HttpContext context, ExperimentStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.ExperimentIdRequest);
        await store.DeleteAsync(Validation.ExperimentId(request.ExperimentId), context.RequestAborted);
        return Empty();
    }

    private static async Task<IResult> Restore(HttpContext context, ExperimentStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.ExperimentIdRequest);
        await store.RestoreAsync(Validation.ExperimentId(request.ExperimentId), context.RequestAborted);
        return Empty();
    }

    private static async Task<IResult> SetTag(HttpContext context, ExperimentStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.SetExperimentTagRequest);
        var id = Validation.ExperimentId(request.ExperimentId);
        var key = Validation.Key(request.Key, "tag");
        var value = Validation.Value(request.Value, Validation.MaxTagValueLength, "Tag", key);
        await store.SetTagAsync(id, key, value, context.RequestAborted);
        return Empty();
    }

    private static async Task<IResult> DeleteTag(HttpContext context, ExperimentStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.DeleteExperimentTagRequest);
        var id = Validation.ExperimentId(request.ExperimentId);
        await store.DeleteTagAsync(id, Validation.Required(request.Key, "key"), context.RequestAborted);
        return Empty();
    }

    /// <summary>The legacy list route, dropped in MLflow 2.0 but still called by older clients such as npm's mlflow.</summary>
    private static async Task<IResult> List(HttpContext context, ExperimentStore store)
    {
        var viewType = ParseViewType(context.Request.Query.String("view_type"), "view_type");
        var experiments = await store.ListAsync(viewType ?? ViewType.ActiveOnly, context.RequestAborted);
        return TypedResults.Json(new ListExperimentsResponse { Experiments = experiments }, Json.ListExperimentsResponse);
    }

    internal static ViewType? ParseViewType(string? text, string parameter) =>
        string.IsNullOrEmpty(text) ? null
        : ViewTypeConverter.Instance.TryParse(text, out var viewType) ? viewType
        : throw Validation.Invalid(parameter, text);

    internal static IResult Empty() => TypedResults.Json(EmptyResponse.Instance, Json.EmptyResponse);

    private static string? ValidateArtifactLocation(string? location)
    {
        if (string.IsNullOrEmpty(location))
        {
            return null;
        }

        if (location.Contains('\0', StringComparison.Ordinal) || location.Split('/', '\\').Any(s => s == "..")
            || location.Contains("%2e%2e", StringComparison.OrdinalIgnoreCase) || location.Length > 2000)
        {
            throw FlightdeckException.InvalidParameter($"Invalid artifact location '{Validation.Shorten(location)}'.");
        }

        return location;
    }
}
