using System.Text;
using System.Text.Json;
using Flightdeck.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Flightdeck.Serving;

/// <summary>The scoring protocols' reading, writing and error answers, for hosts that route requests themselves (the
/// server's managed endpoints) rather than through <see cref="MlflowScoringApi"/> and <see cref="OpenInferenceApi"/>.</summary>
public static class ServingProtocols
{
    /// <summary>Reads an MLflow <c>/invocations</c> body (JSON with one of <c>dataframe_split</c>,
    /// <c>dataframe_records</c>, <c>instances</c>, <c>inputs</c>; or text/csv) against the model's signature.</summary>
    public static async Task<DataBatch> ReadMlflowInputAsync(HttpRequest request, ModelSignature signature, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
            throw new ServingRequestException(StatusCodes.Status415UnsupportedMediaType,
                "Send the input as Content-Type application/json or text/csv.");
        var charset = contentType.Charset.ToString();
        if (charset.Length > 0 && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            throw new ServingRequestException(StatusCodes.Status415UnsupportedMediaType, $"Charset '{charset}' is not supported; send utf-8.");
        var mediaType = contentType.MediaType.ToString();
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return MlflowScoringInput.Parse(document.RootElement, signature);
        }
        if (mediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            return CsvInput.Parse(await reader.ReadToEndAsync(cancellationToken), signature.Inputs);
        }
        throw new ServingRequestException(StatusCodes.Status415UnsupportedMediaType,
            $"Content type '{mediaType}' is not supported; send application/json or text/csv.");
    }

    /// <summary>Writes MLflow's <c>{"predictions": [...]}</c> answer.</summary>
    public static Task WriteMlflowResponseAsync(HttpContext context, DataBatch output) =>
        ServingResponses.WriteJsonAsync(context, writer => PredictionJson.WriteMlflowResponse(writer, output));

    /// <summary>Reads an Open Inference Protocol v2 infer body.</summary>
    public static async Task<InferRequest> ReadInferAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        return OpenInference.ParseInfer(document.RootElement);
    }

    /// <summary>Writes the Open Inference Protocol v2 infer answer.</summary>
    public static Task WriteInferResponseAsync(HttpContext context, ServedModel model, InferRequest request, DataBatch output) =>
        ServingResponses.WriteJsonAsync(context, writer => OpenInference.WriteInferResponse(writer, model, request.Id, output, request.Outputs));

    /// <summary>Runs a handler and answers its failure with MLflow's error body and the status it deserves.</summary>
    public static Task HandleMlflowAsync(HttpContext context, ILogger logger, Func<Task> handler) =>
        ServingResponses.HandleAsync(context, ErrorStyle.Mlflow, logger, handler);

    /// <summary>Runs a handler and answers its failure with the Open Inference Protocol's error body.</summary>
    public static Task HandleOpenInferenceAsync(HttpContext context, ILogger logger, Func<Task> handler) =>
        ServingResponses.HandleAsync(context, ErrorStyle.OpenInference, logger, handler);

    /// <summary>The HTTP status a failure of a serving request is answered with (400 bad input, 429 full queue, …).</summary>
    public static int StatusOf(Exception exception) => ServingResponses.Classify(exception).Status;
}
