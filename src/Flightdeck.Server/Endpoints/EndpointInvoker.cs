using System.Diagnostics;
using Flightdeck.Contracts;
using Flightdeck.Models;
using Flightdeck.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Endpoints;

/// <summary>
/// Answers an endpoint's scoring request: chooses the route, predicts on its model within the endpoint's time limit,
/// mirrors a share of the request to SHADOW routes off the request path, and tells every <see cref="IInferenceObserver"/>
/// about each inference (shadow ones included, with role SHADOW).
/// </summary>
internal sealed partial class EndpointInvoker(EndpointRuntime runtime, IEnumerable<IInferenceObserver> observers, ILogger<EndpointInvoker> logger)
{
    /// <summary>Shadow predictions running at once; beyond this a mirrored request is dropped (and counted) rather than
    /// queued, so a slow candidate never holds memory or threads the live traffic needs.</summary>
    public const int MaxShadowsInFlight = 64;

    private static readonly TimeSpan DefaultShadowTimeout = TimeSpan.FromSeconds(30);

    private readonly IInferenceObserver[] _observers = [.. observers];
    private readonly SemaphoreSlim _shadowSlots = new(MaxShadowsInFlight, MaxShadowsInFlight);
    private long _shadowsDropped;

    public ILogger Logger => logger;

    /// <summary>Mirrored requests dropped because <see cref="MaxShadowsInFlight"/> were already running.</summary>
    public long ShadowsDropped => Interlocked.Read(ref _shadowsDropped);

    /// <summary>The endpoint and the route for this request (404 unknown endpoint, 400 bad pin, 503 version not loaded).</summary>
    public async Task<(RoutedEndpoint Endpoint, RoutedVersion Route, ServedModel Model)> RouteAsync(HttpContext context, string name)
    {
        await runtime.ReadyAsync(context.RequestAborted);
        var endpoint = runtime.Find(name) ?? throw ServingRequestException.NotFound($"Endpoint '{Tracking.Validation.Shorten(name)}' does not exist.");
        var headers = context.Request.Headers;
        var route = EndpointRouter.Choose(endpoint, headers[EndpointHeaders.PinVersion].ToString(), headers[EndpointHeaders.RoutingKey].ToString());
        context.Response.Headers[EndpointHeaders.ServedVersion] = route.Version;
        var model = route.Model ?? throw new ServingRequestException(StatusCodes.Status503ServiceUnavailable,
            $"Version {route.Version} of '{route.ModelName}' is not loaded on this server yet; see the server log.");
        return (endpoint, route, model);
    }

    /// <summary>Predicts <paramref name="input"/> on the chosen route, reporting the inference, and mirrors it to the
    /// shadows. A request past the endpoint's time limit is cancelled and answered 504.</summary>
    public async Task<DataBatch> PredictAsync(HttpContext context, RoutedEndpoint endpoint, RoutedVersion route, ServedModel model, DataBatch input)
    {
        var requestId = context.TraceIdentifier;
        var timestamp = DateTimeOffset.UtcNow;
        Mirror(endpoint, input, requestId, timestamp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (endpoint.Timeout is { } limit)
            timeout.CancelAfter(limit);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var output = await model.PredictAsync(input, timeout.Token);
            Report(endpoint.Name, route, requestId, input, output, StatusCodes.Status200OK, null, Stopwatch.GetElapsedTime(started), timestamp);
            return output;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            var error = new ServingRequestException(StatusCodes.Status504GatewayTimeout,
                $"Endpoint '{endpoint.Name}' did not answer within its request timeout of {endpoint.Endpoint.Settings.RequestTimeoutMs} ms.");
            Report(endpoint.Name, route, requestId, input, null, error.StatusCode, error.Message, Stopwatch.GetElapsedTime(started), timestamp);
            throw error;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Report(endpoint.Name, route, requestId, input, null, ServingProtocols.StatusOf(e), e.Message, Stopwatch.GetElapsedTime(started), timestamp);
            throw;
        }
    }

    private void Mirror(RoutedEndpoint endpoint, DataBatch input, string requestId, DateTimeOffset timestamp)
    {
        foreach (var shadow in endpoint.Shadows)
        {
            if (shadow.Model is null || Random.Shared.Next(100) >= shadow.Route.Weight)
                continue;
            if (!_shadowSlots.Wait(0))
            {
                Interlocked.Increment(ref _shadowsDropped);
                continue;
            }

            _ = ShadowAsync(endpoint, shadow, shadow.Model, input, requestId, timestamp);
        }
    }

    private async Task ShadowAsync(RoutedEndpoint endpoint, RoutedVersion shadow, ServedModel model, DataBatch input, string requestId,
        DateTimeOffset timestamp)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(endpoint.Timeout ?? DefaultShadowTimeout);
            await Task.Yield(); // the caller's request goes on at once
            try
            {
                var output = await model.PredictAsync(input, timeout.Token);
                Report(endpoint.Name, shadow, requestId, input, output, StatusCodes.Status200OK, null, Stopwatch.GetElapsedTime(started), timestamp);
            }
            catch (OperationCanceledException)
            {
                Report(endpoint.Name, shadow, requestId, input, null, StatusCodes.Status504GatewayTimeout, "The shadow prediction timed out.",
                    Stopwatch.GetElapsedTime(started), timestamp);
            }
            catch (Exception e)
            {
                Report(endpoint.Name, shadow, requestId, input, null, ServingProtocols.StatusOf(e), e.Message, Stopwatch.GetElapsedTime(started), timestamp);
            }
        }
        finally
        {
            _shadowSlots.Release();
        }
    }

    private void Report(string endpoint, RoutedVersion route, string requestId, DataBatch input, DataBatch? output, int status, string? error,
        TimeSpan latency, DateTimeOffset timestamp)
    {
        if (_observers.Length == 0)
            return;
        var record = new InferenceRecord
        {
            RequestId = requestId,
            Endpoint = endpoint,
            ModelName = route.ModelName,
            Version = route.Version,
            Role = route.Role,
            Input = input,
            Output = output,
            StatusCode = status,
            Error = error,
            Latency = latency,
            Timestamp = timestamp,
        };
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnInference(record);
            }
            catch (Exception e)
            {
                LogObserverFailed(logger, e, observer.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inference observer {Observer} threw; observers must not throw")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception, string observer);
}
