using System.Text.Json;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.MlNet.Tests.Infrastructure;
using Flightdeck.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.MlNet.Tests;

public sealed class ModelLoggingTests : IAsyncLifetime
{
    private readonly MLContext _ml = new(seed: 1);
    private TestServer _server = null!;
    private FlightdeckClient _client = null!;
    private string _cache = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _client = _server.CreateClient();
        _cache = _server.CreateLocalFolder("model-cache");
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Logging_with_a_registered_name_uploads_the_package_and_creates_version_1_then_2()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TestData.Load(_ml, rows: 300);
        var model = TestData.BinaryPipeline(_ml).Fit(data);

        // When: two runs log and register the same model name
        var first = await LogInNewRunAsync(model, data, "readmission", ct);
        var second = await LogInNewRunAsync(model, data, "readmission", ct);

        // Then
        Assert.Equal("1", first.RegisteredVersion!.Version);
        Assert.Equal("2", second.RegisteredVersion!.Version);
        Assert.Equal($"runs:/{second.RunId}/model", second.RegisteredVersion.Source);
        Assert.Equal(second.RunId, second.RegisteredVersion.RunId);
        Assert.Equal("models:/readmission/2", second.RegisteredModelUri);
        var files = (await _client.ListArtifactsAsync(first.RunId, "model", cancellationToken: ct)).Files.Select(f => f.Path).ToList();
        Assert.Contains("model/MLmodel", files);
        Assert.Contains("model/model.zip", files);
        Assert.Contains("model/input_example.json", files);
        Assert.True(first.Package.Flavors.ContainsKey(ModelFlavors.MlNet));
        Assert.DoesNotContain("Readmitted", first.Package.Signature!.Inputs.Names);
        Assert.Contains("Age", first.Package.Signature.Inputs.Names);
        var run = (await _client.GetRunAsync(first.RunId, ct)).Run;
        var history = JsonDocument.Parse(run.Data.Tags.Single(t => t.Key == "mlflow.log-model.history").Value!).RootElement;
        Assert.Equal("model", history[0].GetProperty("artifact_path").GetString());
        Assert.Equal(first.Package.ModelUuid, history[0].GetProperty("model_uuid").GetString());
    }

    [Fact]
    public async Task A_model_loaded_by_alias_version_or_run_uri_predicts_what_the_original_transformer_predicts()
    {
        var ct = TestContext.Current.CancellationToken;
        var split = _ml.Data.TrainTestSplit(TestData.Load(_ml, rows: 400), 0.25, seed: 2);
        var model = TestData.BinaryPipeline(_ml).Fit(split.TrainSet);
        var logged = await LogInNewRunAsync(model, split.TrainSet, "readmission", ct);
        await _client.SetRegisteredModelAliasAsync("readmission", "champion", logged.RegisteredVersion!.Version, ct);
        var patients = TestData.Patients(seed: 77, rows: 25);
        var expected = _ml.Data.CreateEnumerable<Scored>(model.Transform(_ml.Data.LoadFromEnumerable(patients)), reuseRowObject: false)
            .Select(s => s.Probability).ToArray();

        foreach (var uri in new[] { "models:/readmission@champion", "models:/readmission/1", logged.ModelUri, "models:/readmission/latest" })
        {
            // When
            using var predictor = await _client.LoadModelAsync(uri, cacheDirectory: _cache, cancellationToken: ct);
            var predictions = predictor.Predict(ToBatch(patients));

            // Then
            Assert.Equal(ModelFlavors.MlNet, predictor.Flavor);
            Assert.Equal(logged.Package.ModelUuid, predictor.Package.ModelUuid);
            var probabilities = predictions["Probability"].GetValues<float>();
            Assert.Equal(expected.Length, predictions.RowCount);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], probabilities[i], 5);
            }
        }

        // A registered version is downloaded once; the run URI is a separate copy.
        Assert.Single(Directory.GetDirectories(_cache), d => Path.GetFileName(d).StartsWith("readmission-v1-", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.GetDirectories(_cache), d => Path.GetFileName(d).StartsWith(".partial", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_model_exported_to_ONNX_predicts_like_ML_NET_through_the_onnx_flavor()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TestData.Load(_ml, rows: 300);
        var model = TestData.BinaryPipeline(_ml).Fit(data);
        LoggedModel logged;
        await using (var run = await _client.StartRunAsync("onnx", cancellationToken: ct))
        {
            logged = await run.LogModelAsync(model, data, onnxExport: OnnxExport.Required, labelColumnName: nameof(Patient.Readmitted), cancellationToken: ct);
        }

        using var mlnet = await _client.LoadModelAsync(logged.ModelUri, cacheDirectory: _cache, cancellationToken: ct);
        using var onnx = await _client.LoadModelAsync(logged.ModelUri, new ModelLoadOptions { Flavor = ModelFlavors.Onnx }, _cache, ct);
        var batch = ToBatch(TestData.Patients(seed: 8, rows: 10));

        Assert.True(logged.Package.Flavors.ContainsKey(ModelFlavors.Onnx));
        Assert.Equal(ModelFlavors.Onnx, onnx.Flavor);
        var expected = mlnet.Predict(batch)["Probability"].GetValues<float>();
        var actual = onnx.Predict(batch)["Probability"].GetValues<float>();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 4);
        }
    }

    [Fact]
    public async Task Inputs_that_do_not_fit_the_signature_are_refused_with_the_column_named()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TestData.Load(_ml, rows: 300);
        var logged = await LogInNewRunAsync(TestData.BinaryPipeline(_ml).Fit(data), data, null, ct);
        using var predictor = await _client.LoadModelAsync(logged.ModelUri, cacheDirectory: _cache, cancellationToken: ct);

        var bad = new DataBatch(BatchColumn.FromStrings("Age", ["old"]), BatchColumn.FromSingles("Visits", [1]), BatchColumn.FromStrings("Ward", ["ortho"]));
        var error = Assert.Throws<ModelInputException>(() => predictor.Predict(bad));

        Assert.Equal("Age", error.ColumnName);
    }

    [Theory]
    [InlineData("readmission@champion")]
    [InlineData("models:/")]
    [InlineData("models:/readmission/zero")]
    [InlineData("runs:/")]
    public async Task A_malformed_uri_is_refused_before_any_request(string uri)
    {
        var error = await Assert.ThrowsAsync<FlightdeckException>(() =>
            _client.LoadModelAsync(uri, cacheDirectory: _cache, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("URI", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unknown_alias_model_or_version_is_not_found()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TestData.Load(_ml, rows: 300);
        await LogInNewRunAsync(TestData.BinaryPipeline(_ml).Fit(data), data, "known", ct);

        var alias = await Assert.ThrowsAsync<ResourceNotFoundException>(() => _client.LoadModelAsync("models:/known@nobody", cacheDirectory: _cache, cancellationToken: ct));
        var model = await Assert.ThrowsAsync<ResourceNotFoundException>(() => _client.LoadModelAsync("models:/unknown/1", cacheDirectory: _cache, cancellationToken: ct));
        var version = await Assert.ThrowsAsync<ResourceNotFoundException>(() => _client.LoadModelAsync("models:/known/9", cacheDirectory: _cache, cancellationToken: ct));

        Assert.Contains("nobody", alias.Message, StringComparison.Ordinal);
        Assert.Contains("unknown", model.Message, StringComparison.Ordinal);
        Assert.Contains("9", version.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_folder_without_a_model_is_not_found_and_files_without_MLmodel_are_not_a_package()
    {
        var ct = TestContext.Current.CancellationToken;
        var local = Path.Combine(_server.CreateLocalFolder("not-a-model"), "notes.txt");
        await File.WriteAllTextAsync(local, "no model here", ct);
        string runId;
        await using (var run = await _client.StartRunAsync("models", cancellationToken: ct))
        {
            runId = run.RunId;
            await run.LogArtifactAsync(local, "notes", cancellationToken: ct);
        }

        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() =>
            _client.LoadModelAsync($"runs:/{runId}/model", cacheDirectory: _cache, cancellationToken: ct));
        var notPackage = await Assert.ThrowsAsync<ModelPackageException>(() =>
            _client.LoadModelAsync($"runs:/{runId}/notes", cacheDirectory: _cache, cancellationToken: ct));

        Assert.Contains("No model files", missing.Message, StringComparison.Ordinal);
        Assert.Contains("MLmodel", notPackage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autolog_logs_and_registers_the_fitted_model()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TestData.Load(_ml, rows: 300);
        LoggedModel? logged;

        await using (var run = await _client.StartRunAsync("autolog-models", cancellationToken: ct))
        {
            await using var autolog = run.AutologMlNet(_ml, new MlNetAutologOptions { RegisteredModelName = "auto", LogTrainerMessages = false });
            await autolog.FitAsync(TestData.BinaryPipeline(_ml), data, ct);
            logged = autolog.LastLoggedModel;
        }

        Assert.NotNull(logged);
        Assert.Equal("1", logged.RegisteredVersion!.Version);
        // The label the trainer learnt from is not a model input.
        Assert.DoesNotContain("Readmitted", logged.Package.Signature!.Inputs.Names);
        using var predictor = await _client.LoadModelAsync("models:/auto/1", cacheDirectory: _cache, cancellationToken: ct);
        var predictions = predictor.Predict(ToBatch(TestData.Patients(5, 3)));
        Assert.Equal(3, predictions.RowCount);
    }

    [Fact]
    public async Task A_bad_artifact_path_or_blank_model_name_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TestData.Load(_ml, rows: 200);
        var model = TestData.BinaryPipeline(_ml).Fit(data);
        await using var run = await _client.StartRunAsync("bad", cancellationToken: ct);

        await Assert.ThrowsAsync<ArgumentException>(() => run.LogModelAsync(model, data, "../escape", cancellationToken: ct));
        await Assert.ThrowsAsync<ArgumentException>(() => run.LogModelAsync(model, data, registeredModelName: " ", cancellationToken: ct));
    }

    private async Task<LoggedModel> LogInNewRunAsync(ITransformer model, IDataView data, string? registeredName, CancellationToken ct)
    {
        await using var run = await _client.StartRunAsync("models", cancellationToken: ct);
        return await run.LogModelAsync(model, data, registeredModelName: registeredName, labelColumnName: nameof(Patient.Readmitted), cancellationToken: ct);
    }

    private static DataBatch ToBatch(IReadOnlyList<Patient> patients) => new(
        BatchColumn.FromSingles(nameof(Patient.Age), patients.Select(p => p.Age).ToArray()),
        BatchColumn.FromSingles(nameof(Patient.Visits), patients.Select(p => p.Visits).ToArray()),
        BatchColumn.FromStrings(nameof(Patient.Ward), patients.Select(p => (string?)p.Ward).ToArray()),
        BatchColumn.FromStrings(nameof(Patient.Risk), patients.Select(p => (string?)p.Risk).ToArray()),
        BatchColumn.FromSingles(nameof(Patient.Cost), patients.Select(p => p.Cost).ToArray()));

    private sealed class Scored
    {
        public float Probability { get; set; }
    }
}
