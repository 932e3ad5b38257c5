using System.Net.Sockets;
using System.Text;

namespace Flightdeck.Server.Tests.Artifacts;

/// <summary>
/// Sends a request with its target exactly as written. HttpClient (System.Uri) would remove dot segments and
/// unescape some characters first, so traversal attempts would never reach the server in their original form.
/// </summary>
public static class RawHttp
{
    public static async Task<(int Status, string Body)> SendAsync(Uri server, string method, string target, byte[]? body = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var stream = tcp.GetStream();
        var head = $"{method} {target} HTTP/1.0\r\nHost: {server.Authority}\r\nContent-Length: {body?.Length ?? 0}\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head));
        if (body is not null)
        {
            await stream.WriteAsync(body);
        }

        // HTTP/1.0: the server sends the body unchunked and closes the connection after it.
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        var text = Encoding.UTF8.GetString(received.ToArray());
        var status = int.Parse(text.Split(' ', 3)[1]);
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, bodyStart < 0 ? "" : text[(bodyStart + 4)..]);
    }
}
