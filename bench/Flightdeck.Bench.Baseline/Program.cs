using System.Text.Json;
using Flightdeck.Contracts;

// Usage: Flightdeck.Bench.Baseline <port>
// Same Kestrel and host builder as the server (slim builder, no server header), same System.Text.Json source-generated
// contract, and the body is read the same way (DeserializeAsync on the request stream); no validation, no storage.
var port = args.Length == 1 && int.TryParse(args[0], out var p) ? p : 5099;
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseKestrel(kestrel => kestrel.AddServerHeader = false);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var app = builder.Build();

app.MapGet("/health", () => TypedResults.Text("OK"));
app.MapPost("/api/2.0/mlflow/runs/log-batch", async (HttpContext context) =>
{
    var request = await JsonSerializer.DeserializeAsync(context.Request.Body, FlightdeckJsonContext.Default.LogBatchRequest, context.RequestAborted);
    if (request?.RunId is null || request.Metrics is null)
    {
        return Results.BadRequest();
    }

    return TypedResults.Json(EmptyResponse.Instance, FlightdeckJsonContext.Default.EmptyResponse);
});

await app.RunAsync();
