using Flightdeck.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Endpoints;

/// <summary>
/// Scoring through an endpoint: <c>POST …/{name}/invocations</c> speaks MLflow's scoring protocol (JSON
/// dataframe_split, dataframe_records, instances or inputs; or CSV) and <c>POST …/{name}/infer</c> the Open Inference
/// Protocol v2 infer body. Headers pin a version or give a sticky routing key; the answer names the version that served.
/// </summary>
internal static class EndpointInvocationApi
{
    /// <summary>Largest scoring body accepted; larger ones get 413.</summary>
    public const long MaxRequestBodyBytes = 16 * 1024 * 1024;

    public static RouteGroupBuilder MapEndpointInvocations(this RouteGroupBuilder api)
    {
        api.MapPost("/{name}/invocations", InvokeAsync);
        api.MapPost("/{name}/infer", InferAsync);
        return api;
    }

    private static Task InvokeAsync(HttpContext context, string name, EndpointInvoker invoker) =>
        ServingProtocols.HandleMlflowAsync(context, invoker.Logger, async () =>
        {
            LimitBody(context);
            var (endpoint, route, model) = await invoker.RouteAsync(context, name);
            var input = await ServingProtocols.ReadMlflowInputAsync(context.Request, model.Signature, context.RequestAborted);
            var output = await invoker.PredictAsync(context, endpoint, route, model, input);
            await ServingProtocols.WriteMlflowResponseAsync(context, output);
        });

    private static Task InferAsync(HttpContext context, string name, EndpointInvoker invoker) =>
        ServingProtocols.HandleOpenInferenceAsync(context, invoker.Logger, async () =>
        {
            LimitBody(context);
            var (endpoint, route, model) = await invoker.RouteAsync(context, name);
            var request = await ServingProtocols.ReadInferAsync(context.Request, context.RequestAborted);
            var output = await invoker.PredictAsync(context, endpoint, route, model, request.Inputs);
            await ServingProtocols.WriteInferResponseAsync(context, model, request, output);
        });

    private static void LimitBody(HttpContext context)
    {
        if (context.Request.ContentLength > MaxRequestBodyBytes)
            throw new ServingRequestException(StatusCodes.Status413PayloadTooLarge,
                $"The request body exceeds the limit of {MaxRequestBodyBytes} bytes.");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = MaxRequestBodyBytes;
    }
}
