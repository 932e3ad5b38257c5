using Flightdeck.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Serving;

/// <summary>MLflow's scoring protocol, as <c>mlflow models serve</c> speaks it: <c>POST /invocations</c> (JSON or CSV),
/// <c>GET /ping</c>, <c>GET /health</c> and <c>GET /version</c>. With several models loaded, <c>/invocations</c> takes
/// <c>?model=NAME[&amp;version=V]</c>.</summary>
public static class MlflowScoringApi
{
    public static IEndpointRouteBuilder MapMlflowScoring(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/ping", Health);
        endpoints.MapGet("/health", Health);
        endpoints.MapGet("/version", () => Results.Text(ModelPackage.CurrentFlightdeckVersion ?? "unknown"));
        endpoints.MapPost("/invocations", InvokeAsync);
        return endpoints;
    }

    // MLflow answers 200 once the model is loaded and 404 before.
    private static IResult Health(ModelHost host) => host.Models.Count > 0 ? Results.Text("\n") : Results.NotFound();

    private static Task InvokeAsync(HttpContext context, ModelHost host, ILoggerFactory loggers) =>
        ServingResponses.HandleInferenceAsync(context, ErrorStyle.Mlflow, loggers.CreateLogger(typeof(MlflowScoringApi)), async call =>
        {
            var model = call.Model = ChooseModel(context.Request, host);
            var input = call.Input = await ServingProtocols.ReadMlflowInputAsync(context.Request, model.Signature, call.CancellationToken);
            var output = call.Output = await model.PredictAsync(input, call.CancellationToken);
            await ServingProtocols.WriteMlflowResponseAsync(context, output);
        });

    private static ServedModel ChooseModel(HttpRequest request, ModelHost host)
    {
        var name = request.Query["model"].ToString();
        var version = request.Query["version"].ToString();
        if (name.Length > 0)
            return host.Find(name, version.Length > 0 ? version : null)
                ?? throw ServingRequestException.NotFound($"Model '{name}'{(version.Length > 0 ? $" version {version}" : "")} is not loaded.");
        return host.Default ?? (host.Models.Count == 0
            ? throw ServingRequestException.NotFound("No model is loaded.")
            : throw ServingRequestException.BadRequest(
                "Several models are loaded; choose one with ?model=NAME[&version=V] or use /v2/models/NAME/infer."));
    }
}
