using System.Text.Json;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Tests.Artifacts;

/// <summary>
/// Traversal attempts in every form a client can send them, on every method and in ?path=: each is MLflow's
/// 400 "Invalid path", and nothing outside (or inside) the artifact root is read, written or deleted.
/// </summary>
public sealed class ArtifactPathSafetyTests
{
    private const string Prefix = "/api/2.0/mlflow-artifacts/artifacts/";

    /// <summary>Request paths after the artifacts prefix, exactly as sent on the wire.</summary>
    public static readonly string[] UnsafeRawPaths =
    [
        "../secret.txt",
        "../../../../etc/passwd",
        "a/../../secret.txt",
        "a/../b.txt",
        "./a.txt",
        "a/./b.txt",
        "%2e%2e/secret.txt",
        "%2E%2E/secret.txt",
        ".%2e/secret.txt",
        "a/%2e%2e/%2e%2e/secret.txt",
        "..%2fsecret.txt",
        "a%2f..%2f..%2fsecret.txt",
        "a%2Fb.txt",
        "..%5csecret.txt",
        "a%5c..%5c..%5csecret.txt",
        "a\\..\\..\\secret.txt",
        "/etc/passwd",
        "//etc/passwd",
        "a//b.txt",
        "a/b.txt/",
    ];

    /// <summary>
    /// A NUL in the path: Kestrel refuses the request target itself with a bare 400 before any middleware runs
    /// (there is no hook to give it MLflow's body); what matters is that it is a 400 and touches nothing.
    /// </summary>
    public static readonly string[] RefusedByKestrel = ["a%00.txt", "a%00/../../secret.txt", "%00"];

    /// <summary>Paths that escape only after the server has cleaned the request path: they must not be cleaned into valid ones.</summary>
    public static readonly string[] UnsafeFullTargets =
    [
        "/api/2.0/mlflow-artifacts/artifacts/../artifacts/a.txt",
        "/api/2.0/mlflow-artifacts/artifacts/../../mlflow-artifacts/artifacts/a.txt",
        "/api/2.0/mlflow/../mlflow-artifacts/artifacts/a.txt",
        "/api/2.0/mlflow-artifacts/./artifacts/a.txt",
        "/api/2.0/mlflow-artifacts/artifacts/%2e%2e/%2e%2e/%2e%2e/health",
        "/ajax-api/2.0/mlflow-artifacts/artifacts/../../../../secret.txt",
    ];

    /// <summary>Values of ?path= on the listing, as the client means them (the test URL-encodes them).</summary>
    public static readonly string[] UnsafeListPaths =
    [
        "..", "../", "../..", "a/../..", "a/..", ".", "./a", "/", "/etc", "//etc", "a//b", "a/", "a\\b", "..\\..", "a\0b", "C:/Windows", "C:",
    ];

    public static TheoryData<string, string> StoresAndMethods => new()
    {
        { ArtifactStores.Local, "GET" }, { ArtifactStores.Local, "PUT" }, { ArtifactStores.Local, "DELETE" },
        { ArtifactStores.S3, "GET" }, { ArtifactStores.S3, "PUT" }, { ArtifactStores.S3, "DELETE" },
    };

    [Theory]
    [MemberData(nameof(StoresAndMethods))]
    public async Task Unsafe_paths_are_rejected_and_touch_nothing(string store, string method)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync("a.txt", "inside"u8.ToArray());
        await server.PutOkAsync("a/b.txt", "inside"u8.ToArray());
        await File.WriteAllTextAsync(Path.Combine(server.Server.WorkDir, "secret.txt"), "outside", TestContext.Current.CancellationToken);
        var before = await server.EverythingStoredAsync();

        foreach (var target in UnsafeRawPaths.Select(path => Prefix + path).Concat(UnsafeFullTargets))
        {
            var (status, body) = await RawHttp.SendAsync(server.Server.BaseAddress, method, target, method == "PUT" ? "overwritten"u8.ToArray() : null);

            AssertInvalidPath(status, body, $"{method} {target}");
        }

        foreach (var target in RefusedByKestrel.Select(path => Prefix + path))
        {
            var (status, _) = await RawHttp.SendAsync(server.Server.BaseAddress, method, target, method == "PUT" ? "overwritten"u8.ToArray() : null);

            Assert.Equal(400, status);
        }

        Assert.Equal(before, await server.EverythingStoredAsync());
        Assert.Equal("inside"u8.ToArray(), await server.GetBytesOkAsync("a.txt"));
        Assert.Equal("inside"u8.ToArray(), await server.GetBytesOkAsync("a/b.txt"));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Unsafe_list_paths_are_rejected(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync("a/b.txt", "inside"u8.ToArray());

        foreach (var path in UnsafeListPaths)
        {
            using var response = await server.ListAsync(path);

            AssertInvalidPath((int)response.StatusCode, await response.Content.ReadAsStringAsync(), $"?path={path}");
        }

        foreach (var rawQuery in new[] { "%2e%2e", "..%2f..", "a%00b", "%5c..", "a%2f%2fb" })
        {
            var (status, body) = await RawHttp.SendAsync(server.Server.BaseAddress, "GET", $"/api/2.0/mlflow-artifacts/artifacts?path={rawQuery}");

            AssertInvalidPath(status, body, $"?path={rawQuery}");
        }
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task The_root_itself_cannot_be_read_written_or_deleted(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync("a.txt", "inside"u8.ToArray());

        foreach (var method in new[] { "GET", "PUT", "DELETE" })
        {
            var (status, body) = await RawHttp.SendAsync(server.Server.BaseAddress, method, Prefix, method == "PUT" ? [1] : null);

            AssertInvalidPath(status, body, $"{method} {Prefix}");
        }

        Assert.Equal("inside"u8.ToArray(), await server.GetBytesOkAsync("a.txt"));
    }

    private static void AssertInvalidPath(int status, string body, string request)
    {
        Assert.True(status == 400 && body.StartsWith('{'), $"{request}: expected 400 with an error body, got {status}: {body}");
        var error = JsonSerializer.Deserialize(body, FlightdeckJsonContext.Default.ErrorResponse);
        Assert.NotNull(error);
        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.Equal("Invalid path", error.Message);
    }
}
