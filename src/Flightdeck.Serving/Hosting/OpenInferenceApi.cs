using System.Text.Json;
using Flightdeck.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Serving;

/// <summary>The Open Inference Protocol (KServe v2) REST API: server health and metadata, model metadata and readiness,
/// and infer, for every model the <see cref="ModelHost"/> holds. A path without a version means the highest loaded one.</summary>
public static class OpenInferenceApi
{
    public static IEndpointRouteBuilder MapOpenInference(this IEndpointRouteBuilder endpoints)
    {
        var v2 = endpoints.MapGroup("/v2");
        v2.MapGet("", ServerMetadataAsync);
        v2.MapGet("/health/live", (HttpContext context) => Json(context, StatusCodes.Status200OK, w => w.WriteBoolean("live", true)));
        v2.MapGet("/health/ready", (HttpContext context, ModelHost host) =>
        {
            var ready = host.Models.Count > 0;
            return Json(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, w => w.WriteBoolean("ready", ready));
        });
        foreach (var prefix in new[] { "/models/{name}", "/models/{name}/versions/{version}" })
        {
            v2.MapGet(prefix, MetadataAsync);
            v2.MapGet(prefix + "/ready", ReadyAsync);
            v2.MapPost(prefix + "/infer", InferAsync);
        }
        return endpoints;
    }

    private static Task ServerMetadataAsync(HttpContext context) => Json(context, StatusCodes.Status200OK, writer =>
    {
        writer.WriteString("name", "flightdeck");
        writer.WriteString("version", ModelPackage.CurrentFlightdeckVersion ?? "unknown");
        writer.WriteStartArray("extensions");
        writer.WriteEndArray();
    });

    private static Task MetadataAsync(HttpContext context, ModelHost host, ILoggerFactory loggers, string name, string? version = null) =>
        Handle(context, loggers, () =>
        {
            var model = Find(host, name, version);
            var versions = host.Models.Where(m => m.Name == name).Select(m => m.Version);
            return ServingResponses.WriteJsonAsync(context, writer => OpenInference.WriteMetadata(writer, model, versions));
        });

    private static Task ReadyAsync(HttpContext context, ModelHost host, ILoggerFactory loggers, string name, string? version = null) =>
        Handle(context, loggers, () =>
        {
            var model = Find(host, name, version);
            return Json(context, StatusCodes.Status200OK, writer =>
            {
                writer.WriteString("name", model.Name);
                writer.WriteBoolean("ready", true);
            });
        });

    private static Task InferAsync(HttpContext context, ModelHost host, ILoggerFactory loggers, string name, string? version = null) =>
        ServingResponses.HandleInferenceAsync(context, ErrorStyle.OpenInference, loggers.CreateLogger(typeof(OpenInferenceApi)), async call =>
        {
            var model = call.Model = Find(host, name, version);
            InferRequest request;
            using (var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: call.CancellationToken))
                request = OpenInference.ParseInfer(document.RootElement);
            call.Input = request.Inputs;
            var output = call.Output = await model.PredictAsync(request.Inputs, call.CancellationToken);
            await ServingResponses.WriteJsonAsync(context, writer => OpenInference.WriteInferResponse(writer, model, request.Id, output, request.Outputs));
        });

    private static ServedModel Find(ModelHost host, string name, string? version) =>
        host.Find(name, version)
        ?? throw ServingRequestException.NotFound($"Model '{name}'{(version is null ? "" : $" version {version}")} is not loaded.");

    private static Task Handle(HttpContext context, ILoggerFactory loggers, Func<Task> handler) =>
        ServingResponses.HandleAsync(context, ErrorStyle.OpenInference, loggers.CreateLogger(typeof(OpenInferenceApi)), handler);

    private static Task Json(HttpContext context, int status, Action<Utf8JsonWriter> writeProperties)
    {
        context.Response.StatusCode = status;
        return ServingResponses.WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        });
    }
}
