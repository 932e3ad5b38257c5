using System.Net;
using System.Text;
using System.Text.Json;

namespace Flightdeck.Serving.Tests.Infrastructure;

public sealed record JsonReply(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)
{
    public override string ToString() => $"{(int)Status} {Body}";
}

public static class HttpJson
{
    public static Task<JsonReply> PostJsonAsync(this HttpClient http, string path, string json, CancellationToken cancellationToken = default) =>
        http.PostContentAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);

    public static async Task<JsonReply> PostContentAsync(this HttpClient http, string path, HttpContent content, CancellationToken cancellationToken = default)
    {
        var response = await http.PostAsync(path, content, cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    public static async Task<JsonReply> GetJsonAsync(this HttpClient http, string path, CancellationToken cancellationToken = default) =>
        await ReadAsync(await http.GetAsync(path, cancellationToken), cancellationToken);

    private static async Task<JsonReply> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new JsonReply(response.StatusCode, body, response);
    }
}
