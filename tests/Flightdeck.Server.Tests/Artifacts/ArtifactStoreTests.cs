using Flightdeck.Contracts;
using Flightdeck.Server.Artifacts;

namespace Flightdeck.Server.Tests.Artifacts;

/// <summary>The store contract the tracking code and the garbage collector use directly, on a local folder and on S3.</summary>
public sealed class ArtifactStoreTests
{
    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Listings_name_entries_by_their_path_from_the_store_root(string kind)
    {
        await using var destination = await Destination.CreateAsync(kind);
        var store = destination.Store;
        await WriteAsync(store, "5/run/artifacts/model/MLmodel", "m");
        await WriteAsync(store, "5/run/artifacts/b.txt", "bb");

        Assert.Equal([new ArtifactEntry("5", true, null)], await store.ListAsync("", Ct));
        Assert.Equal(
            [new ArtifactEntry("5/run/artifacts/b.txt", false, 2), new ArtifactEntry("5/run/artifacts/model", true, null)],
            await store.ListAsync("5/run/artifacts", Ct));
        Assert.Empty(await store.ListAsync("5/none", Ct));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Reads_writes_and_deletes_round_trip(string kind)
    {
        await using var destination = await Destination.CreateAsync(kind);
        var store = destination.Store;
        await WriteAsync(store, "5/run/artifacts/a/b/c.txt", "deep");
        await WriteAsync(store, "5/run/artifacts/a/d.txt", "d");
        await WriteAsync(store, "5/other/artifacts/keep.txt", "keep");

        await using (var read = await store.OpenReadAsync("5/run/artifacts/a/b/c.txt", Ct))
        {
            Assert.Equal("deep", await new StreamReader(read).ReadToEndAsync(Ct));
        }

        await store.DeleteAsync("5/run", Ct);
        await store.DeleteAsync("5/run", Ct);

        Assert.Equal([new ArtifactEntry("5/other", true, null)], await store.ListAsync("5", Ct));
        var missing = await Assert.ThrowsAsync<FlightdeckException>(() => store.OpenReadAsync("5/run/artifacts/a/d.txt", Ct));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Unsafe_paths_are_refused_by_every_operation(string kind)
    {
        await using var destination = await Destination.CreateAsync(kind);
        var store = destination.Store;

        foreach (var path in new[] { "../x", "a/../../x", "/x", "a\\..\\x", "a//x", "a\0x" })
        {
            await AssertInvalidAsync(() => store.ListAsync(path, Ct));
            await AssertInvalidAsync(() => store.OpenReadAsync(path, Ct));
            await AssertInvalidAsync(() => WriteAsync(store, path, "x"));
            await AssertInvalidAsync(() => store.DeleteAsync(path, Ct));
        }

        await AssertInvalidAsync(() => store.DeleteAsync("", Ct)); // never the whole store
        Assert.Empty(await store.ListAsync("", Ct));
    }

    [Fact]
    public async Task S3_keys_stay_under_the_destination_prefix()
    {
        await using var bucket = await S3TestBucket.CreateAsync();
        var store = ArtifactsModule.CreateStore($"s3://{bucket.Name}/a/prefix/");
        await WriteAsync(store, "1/r/artifacts/x.txt", "x");
        await bucket.Client.PutObjectAsync(new() { BucketName = bucket.Name, Key = "a/prefix-sibling/y.txt", ContentBody = "not ours" }, Ct);

        Assert.Equal(["a/prefix-sibling/y.txt", "a/prefix/1/r/artifacts/x.txt"], await bucket.KeysAsync());
        Assert.Equal([new ArtifactEntry("1", true, null)], await store.ListAsync("", Ct));
        ((IDisposable)store).Dispose();
    }

    [Fact]
    public async Task An_S3_destination_without_a_prefix_uses_the_bucket_root()
    {
        await using var bucket = await S3TestBucket.CreateAsync();
        var store = ArtifactsModule.CreateStore($"s3://{bucket.Name}");
        await WriteAsync(store, "1/x.txt", "x");

        Assert.Equal(["1/x.txt"], await bucket.KeysAsync());
        Assert.Equal([new ArtifactEntry("1/x.txt", false, 1)], await store.ListAsync("1", Ct));
        ((IDisposable)store).Dispose();
    }

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3:///prefix")]
    [InlineData("s3://bucket/a/../b")]
    public void Malformed_S3_destinations_fail_at_start(string destination) =>
        Assert.Throws<ArgumentException>(() => ArtifactsModule.CreateStore(destination));

    [Fact]
    public async Task A_local_destination_folder_is_created_if_missing()
    {
        var root = Path.Combine(Path.GetTempPath(), "flightdeck-test-" + Guid.NewGuid().ToString("N"), "nested", "artifacts");
        try
        {
            var store = ArtifactsModule.CreateStore(root);

            Assert.True(Directory.Exists(root));
            await WriteAsync(store, "x.txt", "x");
            Assert.Equal("x", await File.ReadAllTextAsync(Path.Combine(root, "x.txt"), Ct));
        }
        finally
        {
            Directory.Delete(Path.GetFullPath(Path.Combine(root, "..", "..")), recursive: true);
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task WriteAsync(IArtifactStore store, string path, string text)
    {
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        await store.WriteAsync(path, content, Ct);
    }

    private static async Task AssertInvalidAsync(Func<Task> operation)
    {
        var error = await Assert.ThrowsAsync<FlightdeckException>(operation);
        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
    }

    /// <summary>A store on a fresh temp folder or a fresh bucket (under a key prefix), cleaned up afterwards.</summary>
    private sealed class Destination : IAsyncDisposable
    {
        private readonly string? _folder;
        private readonly S3TestBucket? _bucket;

        private Destination(IArtifactStore store, string? folder, S3TestBucket? bucket)
        {
            Store = store;
            _folder = folder;
            _bucket = bucket;
        }

        public IArtifactStore Store { get; }

        public static async Task<Destination> CreateAsync(string kind)
        {
            if (kind == ArtifactStores.Local)
            {
                var folder = Directory.CreateTempSubdirectory("flightdeck-test-").FullName;
                return new Destination(ArtifactsModule.CreateStore(folder), folder, bucket: null);
            }

            var bucket = await S3TestBucket.CreateAsync();
            return new Destination(ArtifactsModule.CreateStore($"s3://{bucket.Name}/store-tests"), folder: null, bucket);
        }

        public async ValueTask DisposeAsync()
        {
            (Store as IDisposable)?.Dispose();
            if (_folder is not null)
            {
                Directory.Delete(_folder, recursive: true);
            }

            if (_bucket is not null)
            {
                await _bucket.DisposeAsync();
            }
        }
    }
}
