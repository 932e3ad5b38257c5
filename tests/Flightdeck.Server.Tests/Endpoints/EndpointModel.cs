using System.Globalization;
using System.Net;
using Flightdeck.Models;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Tests.Registry;
using Microsoft.ML;

namespace Flightdeck.Server.Tests.Endpoints;

/// <summary>A small real ML.NET model (FastTree over two floats), trained once per test run and written as a package,
/// which tests upload to a run and register as versions of a model.</summary>
public sealed class EndpointModel
{
    private static readonly Lazy<EndpointModel> Shared = new(() => new EndpointModel());

    private EndpointModel()
    {
        var ml = new MLContext(seed: 5);
        var random = new Random(7);
        var rows = Enumerable.Range(0, 200).Select(_ =>
        {
            var row = new Row { X = (float)Math.Round(random.NextDouble(), 3), Y = (float)Math.Round(random.NextDouble(), 3) };
            row.Label = row.X + row.Y + (random.NextDouble() - 0.5) * 0.2 > 1;
            return row;
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Concatenate("Features", "X", "Y")
            .Append(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 4, numberOfTrees: 5, minimumExampleCountPerLeaf: 5));
        PackageDirectory = Directory.CreateTempSubdirectory("flightdeck-endpoint-model-").FullName;
        new ModelPackageWriter(ml).Write(PackageDirectory, pipeline.Fit(data), data,
            new ModelPackageWriteOptions { OnnxExport = OnnxExport.None, ArtifactPath = "model" });
    }

    public static EndpointModel Instance => Shared.Value;

    public string PackageDirectory { get; }

    /// <summary>An MLflow scoring body of <paramref name="rows"/> rows.</summary>
    public static string Body(int rows = 2) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            dataframe_split = new
            {
                columns = new[] { "X", "Y" },
                data = Enumerable.Range(0, rows).Select(i => new[] { 0.1f * (i % 10), 0.9f - 0.1f * (i % 10) }),
            },
        });

    /// <summary>Uploads the package to a new run and registers it <paramref name="versions"/> times as <paramref name="name"/>.</summary>
    public static async Task RegisterAsync(TestServer server, string name, int versions = 2)
    {
        var runId = await server.CreateRunAsync();
        var artifactUri = (await server.GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run").GetProperty("info").GetProperty("artifact_uri").GetString()!;
        var root = artifactUri["mlflow-artifacts:".Length..].TrimStart('/');
        var package = Instance.PackageDirectory;
        foreach (var file in Directory.EnumerateFiles(package, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(package, file).Replace('\\', '/');
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            using var response = await server.Http.PutAsync($"api/2.0/mlflow-artifacts/artifacts/{root}/model/{relative}", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await server.CreateModelAsync(name);
        for (var i = 0; i < versions; i++)
            await server.CreateVersionAsync(name, $"runs:/{runId}/model", runId);
    }

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class Row
    {
        public float X { get; set; }

        public float Y { get; set; }

        public bool Label { get; set; }
    }
}
