using System.Net;
using System.Text;
using System.Text.Json;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Serving.Tests.Observability;

/// <summary>Whatever shape a request's input came in, its logged inputs are the rows that were sent, as records.</summary>
public sealed class InferenceLogInputTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> Formats => ["dataframe_split", "dataframe_records", "instances", "inputs", "csv", "oip_v2"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_logged_record_holds_the_rows_that_were_sent(string format)
    {
        // Given a serving process with an inference log folder, and three rows
        var folder = Directory.CreateTempSubdirectory("flightdeck-inference-log-").FullName;
        var host = new ModelHost();
        await host.LoadAsync("shapes", "1", TinyModel.Instance.PackageDirectory, loadOptions: new ModelLoadOptions { Flavor = ModelFlavors.MlNet });
        var server = await ServingServer.StartAsync(host, new ServingOptions { InferenceLogDirectory = folder });
        var rows = TinyModel.Generate(3, seed: 21);

        // When the rows are sent in this format and the process stops
        var (path, body, mediaType) = format switch
        {
            "dataframe_split" => ("invocations", Payloads.DataframeSplit(rows), "application/json"),
            "dataframe_records" => ("invocations", Payloads.DataframeRecords(rows), "application/json"),
            "instances" => ("invocations", Payloads.InstancesRecords(rows), "application/json"),
            "inputs" => ("invocations", Payloads.InputsColumnar(rows), "application/json"),
            "csv" => ("invocations", Payloads.Csv(rows), "text/csv"),
            _ => ("v2/models/shapes/infer", Payloads.OpenInferenceInfer(rows), "application/json"),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        request.Headers.Add("X-Request-Id", "shape-" + format);
        using var reply = await server.Http.SendAsync(request, Cancel);
        await server.StopAsync();
        await server.DisposeAsync();

        // Then its one line holds the three rows, column by column, and three rows of outputs
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var line = JsonDocument.Parse(Assert.Single(Directory.GetFiles(folder).SelectMany(File.ReadAllLines))).RootElement;
        Assert.Equal("shape-" + format, line.GetProperty("request_id").GetString());
        var inputs = line.GetProperty("inputs");
        Assert.Equal(rows.Count, inputs.GetArrayLength());
        for (var r = 0; r < rows.Count; r++)
        {
            var logged = inputs[r];
            Assert.Equal(rows[r].F1, logged.GetProperty("F1").GetDouble(), 1e-6);
            Assert.Equal(rows[r].F2, logged.GetProperty("F2").GetDouble(), 1e-6);
            Assert.Equal(rows[r].F3, logged.GetProperty("F3").GetDouble(), 1e-6);
            Assert.Equal(rows[r].Age, logged.GetProperty("Age").GetInt32());
            Assert.Equal(rows[r].Region, logged.GetProperty("Region").GetString());
        }
        Assert.Equal(rows.Count, line.GetProperty("outputs").GetArrayLength());
        Directory.Delete(folder, recursive: true);
    }
}
