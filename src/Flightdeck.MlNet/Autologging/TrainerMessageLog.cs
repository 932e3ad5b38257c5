using System.Text;
using Flightdeck.Client;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Flightdeck.MlNet.Autologging;

/// <summary>
/// Keeps what ML.NET's components say during autologged fits (<c>MLContext.Log</c>, without its trace chatter) and uploads
/// it as <c>mlnet/training_log.txt</c>. The event is ML.NET's only window into training, but it carries text, not values,
/// which is why hyperparameters and metrics are read from objects instead.
/// </summary>
internal sealed class TrainerMessageLog : IDisposable
{
    public const string ArtifactFolder = "mlnet";
    public const string FileName = "training_log.txt";

    /// <summary>A runaway trainer must not fill memory; past this the log says it was cut.</summary>
    private const int MaxLines = 20_000;

    private readonly MLContext _ml;
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private int _lines;
    private bool _capturing;

    public TrainerMessageLog(MLContext ml)
    {
        _ml = ml;
        _ml.Log += OnLog;
    }

    public void BeginFit(string estimatorName)
    {
        lock (_lock)
        {
            _text.Append("== fit ").Append(estimatorName).Append(' ').AppendLine(DateTimeOffset.UtcNow.ToString("O"));
            _capturing = true;
        }
    }

    public void EndFit()
    {
        lock (_lock)
        {
            _capturing = false;
        }
    }

    public async Task UploadAsync(ActiveRun run, CancellationToken cancellationToken)
    {
        string text;
        lock (_lock)
        {
            text = _text.ToString();
        }

        var folder = Directory.CreateTempSubdirectory("flightdeck-mlnet-log-");
        try
        {
            var path = Path.Combine(folder.FullName, FileName);
            await File.WriteAllTextAsync(path, text, cancellationToken);
            await run.LogArtifactAsync(path, ArtifactFolder, cancellationToken: cancellationToken);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public void Dispose() => _ml.Log -= OnLog;

    private void OnLog(object? sender, LoggingEventArgs e)
    {
        if (e.Kind == ChannelMessageKind.Trace)
        {
            return;
        }

        lock (_lock)
        {
            if (!_capturing || _lines > MaxLines)
            {
                return;
            }

            _lines++;
            _text.Append(_lines > MaxLines ? "[log cut: too many messages]" : $"{e.Kind} {e.Source}: {e.RawMessage}").AppendLine();
        }
    }
}
