using Flightdeck.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Serving;

/// <summary>What every serving request of a process shares: its time limit and the observers told about each inference
/// (<see cref="IInferenceObserver"/>s registered in DI: metrics, the inference log).</summary>
public sealed partial class ServingRequests
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly ServingRequests Unconfigured = new([], DefaultTimeout, null);

    private readonly IInferenceObserver[] _observers;
    private readonly ILogger? _logger;

    public ServingRequests(IEnumerable<IInferenceObserver> observers, TimeSpan timeout, ILogger<ServingRequests>? logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _observers = [.. observers];
        Timeout = timeout;
        _logger = logger;
    }

    /// <summary>How long a request may take before its prediction is cancelled and it is answered 504.</summary>
    public TimeSpan Timeout { get; }

    internal bool Observed => _observers.Length > 0;

    internal static ServingRequests Of(HttpContext context) => context.RequestServices.GetService<ServingRequests>() ?? Unconfigured;

    internal void Report(InferenceRecord record)
    {
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnInference(record);
            }
            catch (Exception e)
            {
                // An observer must not throw; if one does anyway, the answer already given stands.
                if (_logger is not null)
                    LogObserverFailed(_logger, e, observer.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Inference observer {Observer} failed")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception, string observer);
}

/// <summary>One inference request as its handler fills it in: the model it chose, what it read and what it answered.
/// <see cref="CancellationToken"/> fires when the caller goes away or the request's time is up.</summary>
internal sealed class InferenceCall(string requestId, CancellationToken cancellationToken)
{
    public static readonly DataBatch NoInput = new();

    public string RequestId { get; } = requestId;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public ServedModel? Model { get; set; }

    public DataBatch? Input { get; set; }

    public DataBatch? Output { get; set; }
}
