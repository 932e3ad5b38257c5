// Serving benchmark host (bench/run-serving.sh). Trains a small FastTree model (5 columns, 50 trees), packages it,
// and serves it on one port as two models of one ModelHost plus a bare endpoint:
//   POST /invocations?model=batched    adaptive batching (defaults: max batch 64, max delay 2 ms)
//   POST /invocations?model=unbatched  the same path with --max-batch-size 1 (one predict per request)
//   POST /direct                       bare ASP.NET endpoint: parse dataframe_split, Predict, write JSON (no queue)
//   GET /gc                            the GC's totals: gen0, gen1, gen2 collections, pause ms, bytes allocated
// Usage: Flightdeck.Bench.Serving PORT [MODEL=mlnet|onnx|mlp|mlp-wide|recommender]
//   mlnet, onnx  the FastTree model through its mlnet or onnx flavor
//   mlp          an ONNX multi-layer perceptron, 20 → 1024 → 1024 → 1 (input tensor "features")
//   mlp-wide     the same with 2048-wide hidden layers, 20 → 2048 → 2048 → 1 (16 MB of weights in the middle layer)
//   recommender  an ONNX model scoring 10,000 SKUs for a 64-float user vector and returning the top 10 ("user")
// With a third argument LOG = jsonl:DIR or sqlite:FILE every request of the process is logged at sample rate 1, to
// JSON Lines files as `flightdeck serve --inference-log DIR` does, or to the server's inference_log table.
// The ONNX models are loaded as ModelHost loads them for serving (one ONNX Runtime thread per predict call, no spinning);
// ORT=default loads them as ONNX Runtime does by default instead (a thread per core, spinning), for comparison.
// Flightdeck.Bench.Serving modeltime MODEL times one predict call of 1, 8, 16, 32 and 64 rows, one caller, with both.
// Flightdeck.Bench.Serving logcost [SECONDS] measures the CPU per logged record of the inference log alone (LogCost.cs).
using System.Text.Json;
using Flightdeck.Bench.Serving;
using Flightdeck.Models;
using Flightdeck.Server.Monitoring;
using Flightdeck.Server.Storage;
using Flightdeck.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args is ["modeltime", var timedFlavor, ..])
{
    ModelTime.Run(timedFlavor);
    return;
}
if (args is ["logcost", ..])
{
    await LogCost.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}
var port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5201;
var flavor = args.Length > 1 ? args[1] : ModelFlavors.MlNet;
var log = args.Length > 2 ? args[2] : "none";

var ml = new MLContext(seed: 1);
var random = new Random(7);
string[] regions = ["north", "south", "east", "west"];
var rows = Enumerable.Range(0, 2000).Select(_ =>
{
    var row = new Row
    {
        F1 = (float)random.NextDouble(), F2 = (float)(random.NextDouble() * 10), F3 = (float)random.NextDouble() - 0.5f,
        Age = random.Next(18, 90), Region = regions[random.Next(4)],
    };
    row.Label = 3 * row.F1 + 0.3 * row.F2 - 4 * row.F3 + 0.02 * row.Age - 3.5 + random.NextDouble() > 0;
    return row;
}).ToList();
var data = ml.Data.LoadFromEnumerable(rows);
var model = ml.Transforms.Conversion.ConvertType("AgeF", "Age", DataKind.Single)
    .Append(ml.Transforms.Categorical.OneHotEncoding("RegionKey", "Region"))
    .Append(ml.Transforms.Concatenate("Features", "F1", "F2", "F3", "AgeF", "RegionKey"))
    .Append(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 16, numberOfTrees: 50))
    .Fit(data);
var root = Directory.CreateTempSubdirectory("flightdeck-bench-serving-").FullName;
var directory = root;
ModelLoadOptions load;
if (OnnxGraphs.IsGraph(flavor))
{
    directory = OnnxGraphs.WritePackage(flavor, root);
    // ModelHost fills in only what the caller leaves unset, so ONNX Runtime's defaults are spelled out: a thread per core, spinning.
    load = Environment.GetEnvironmentVariable("ORT") == "default"
        ? new ModelLoadOptions { OnnxIntraOpThreads = Environment.ProcessorCount, OnnxSpinWait = true }
        : ModelHost.ServingLoadOptions(new BatchingOptions());
}
else
{
    new ModelPackageWriter(ml).Write(directory, model, data, new ModelPackageWriteOptions { OnnxExport = OnnxExport.Required });
    load = new ModelLoadOptions { Flavor = flavor };
}

await using var host = new ModelHost();
await host.LoadAsync("batched", "1", directory, new BatchingOptions(), load);
await host.LoadAsync("unbatched", "1", directory, new BatchingOptions { MaxBatchSize = 1 }, load);
using var direct = ModelLoader.Load(directory, load);

await using var database = log.StartsWith("sqlite:", StringComparison.Ordinal)
    ? new Database(BackendStoreUri.Parse("sqlite:///" + Path.GetFullPath(log["sqlite:".Length..]).TrimStart('/')))
    : null;
if (database is not null)
    await new Migrator(database).UpgradeAsync(CancellationToken.None);
var app = ServingApp.Build(host, new ServingOptions
{
    Port = port,
    InferenceLogDirectory = log.StartsWith("jsonl:", StringComparison.Ordinal) ? log["jsonl:".Length..] : null,
}, builder =>
{
    if (database is not null)
        builder.Services.AddInferenceLog(_ => new DatabaseInferenceLogSink(database), new InferenceLogOptions());
});
app.MapPost("/direct", async (HttpContext context) =>
{
    using var document = await JsonDocument.ParseAsync(context.Request.Body);
    var output = direct.Predict(DataBatch.FromSplitJson(document.RootElement.GetProperty("dataframe_split"), direct.Signature.Inputs));
    context.Response.ContentType = "application/json";
    await using var writer = new Utf8JsonWriter(context.Response.Body);
    writer.WriteStartObject();
    writer.WritePropertyName("predictions");
    output.WriteRecordsJson(writer);
    writer.WriteEndObject();
});
// The garbage collector's totals so far, for run-serving.sh to take the difference over each run: collections of each
// generation, total pause time and bytes allocated.
app.MapGet("/gc", () => Results.Text(FormattableString.Invariant(
    $"{GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {GC.GetTotalPauseDuration().TotalMilliseconds:F1} {GC.GetTotalAllocatedBytes()}\n")));
Console.WriteLine($"serving bench ({flavor}, inference log {log}) on http://127.0.0.1:{port}");
await app.RunAsync();
Directory.Delete(root, recursive: true);

internal sealed class Row
{
    public float F1 { get; set; }

    public float F2 { get; set; }

    public float F3 { get; set; }

    public int Age { get; set; }

    public string Region { get; set; } = "";

    public bool Label { get; set; }
}
