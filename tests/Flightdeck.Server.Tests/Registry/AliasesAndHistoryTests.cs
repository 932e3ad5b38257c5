using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Registry;

public sealed class AliasesAndHistoryTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Aliases_set_move_resolve_and_delete(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("m");
        await server.CreateVersionAsync("m");
        await server.CreateVersionAsync("m");

        await server.PostOkAsync("registered-models/alias", new { name = "m", alias = "champion", version = "1" });
        await server.PostOkAsync("registered-models/alias", new { name = "m", alias = "champion", version = "2" });
        await server.PostOkAsync("registered-models/alias", new { name = "m", alias = "challenger", version = "1" });

        var champion = (await server.GetOkAsync("registered-models/alias?name=m&alias=champion")).GetProperty("model_version");
        Assert.Equal("2", champion.GetProperty("version").GetString());
        Assert.Equal(["champion"], champion.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).ToList());
        var model = (await server.GetOkAsync("registered-models/get?name=m")).GetProperty("registered_model");
        Assert.Equal(["challenger", "champion"], model.GetProperty("aliases").Strings("alias"));
        Assert.Equal(["1", "2"], model.GetProperty("aliases").Strings("version"));

        await server.SendOkAsync(HttpMethod.Delete, "registered-models/alias", new { name = "m", alias = "champion" });
        using (var gone = await server.GetAsync("registered-models/alias?name=m&alias=champion"))
        {
            await TestServer.ReadErrorAsync(gone, 404, ErrorCode.ResourceDoesNotExist);
        }

        // Deleting a version takes its aliases with it.
        await server.SendOkAsync(HttpMethod.Delete, "model-versions/delete", new { name = "m", version = "1" });
        using (var dropped = await server.GetAsync("registered-models/alias?name=m&alias=challenger"))
        {
            await TestServer.ReadErrorAsync(dropped, 404, ErrorCode.ResourceDoesNotExist);
        }

        foreach (var (alias, version) in new[] { ("latest", "2"), ("V3", "2"), ("has space", "2"), (new string('a', 256), "2"), ("ok", "9") })
        {
            using var response = await server.PostAsync("registered-models/alias", new { name = "m", alias, version });
            await TestServer.ReadErrorAsync(response, version == "9" ? 404 : 400, version == "9" ? ErrorCode.ResourceDoesNotExist : ErrorCode.InvalidParameterValue);
        }

        using var missingAlias = await server.SendAsync(HttpMethod.Delete, "registered-models/alias", new { name = "m", alias = "never" });
        await TestServer.ReadErrorAsync(missingAlias, 404, ErrorCode.ResourceDoesNotExist);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task History_lists_every_change_with_actor_before_and_after(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("m");
        await server.SendOkAsync(HttpMethod.Post, "model-versions/create", new { name = "m", source = "s3://b/m" }, user: "alice");
        await server.SendOkAsync(HttpMethod.Post, "model-versions/create", new { name = "m", source = "s3://b/m2" }, user: "alice");
        await server.SendOkAsync(HttpMethod.Patch, "registered-models/update", new { name = "m", description = "d" }, user: "bob");
        await server.SendOkAsync(HttpMethod.Post, "registered-models/set-tag", new { name = "m", key = "k", value = "v" }, user: "bob");
        await server.SendOkAsync(HttpMethod.Post, "model-versions/set-tag", new { name = "m", version = "1", key = "k", value = "v" }, user: "bob");
        await server.SendOkAsync(HttpMethod.Post, "model-versions/transition-stage",
            new { name = "m", version = "1", stage = "Production", archive_existing_versions = false }, user: "carol");
        await server.SendOkAsync(HttpMethod.Post, "registered-models/alias", new { name = "m", alias = "champion", version = "1" }, user: "carol");
        await server.SendOkAsync(HttpMethod.Post, "registered-models/alias", new { name = "m", alias = "champion", version = "2" }, user: "carol");
        await server.SendOkAsync(HttpMethod.Delete, "model-versions/delete", new { name = "m", version = "2" }, user: "dave");
        await server.PostOkAsync("registered-models/rename", new { name = "m", new_name = "m2" });

        var events = (await server.GetFlightdeckAsync("history?name=m2")).GetProperty("events");
        Assert.Equal(
            [
                RegistryEventType.ModelCreated, RegistryEventType.VersionCreated, RegistryEventType.VersionCreated,
                RegistryEventType.ModelDescriptionChanged, RegistryEventType.ModelTagSet, RegistryEventType.VersionTagSet,
                RegistryEventType.VersionStageChanged, RegistryEventType.AliasSet, RegistryEventType.AliasSet,
                RegistryEventType.AliasDeleted, RegistryEventType.VersionDeleted, RegistryEventType.ModelRenamed,
            ],
            events.Strings("event_type"));
        Assert.Equal(["unknown", "alice", "alice", "bob", "bob", "bob", "carol", "carol", "carol", "dave", "dave", "unknown"], events.Strings("actor"));
        var stage = events[6];
        Assert.Equal("1", stage.GetProperty("version").GetString());
        Assert.Equal("None", stage.GetProperty("before").GetProperty("current_stage").GetString());
        Assert.Equal("Production", stage.GetProperty("after").GetProperty("current_stage").GetString());
        var moved = events[8];
        Assert.Equal(1, moved.GetProperty("before").GetProperty("version").GetInt32());
        Assert.Equal(2, moved.GetProperty("after").GetProperty("version").GetInt32());
        var timestamps = events.EnumerateArray().Select(e => e.GetProperty("timestamp").GetInt64()).ToList();
        Assert.Equal(timestamps.Order().ToList(), timestamps);

        using var unknown = await server.Http.GetAsync("api/flightdeck/v1/registered-models/history?name=never");
        await TestServer.ReadErrorAsync(unknown, 404, ErrorCode.ResourceDoesNotExist);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Alias_at_answers_which_version_held_the_alias_at_a_time(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("m");
        await server.CreateVersionAsync("m");
        await server.CreateVersionAsync("m");

        var beforeAny = await Now();
        await server.PostOkAsync("registered-models/alias", new { name = "m", alias = "champion", version = "1" });
        var whileOne = await Now();
        await server.PostOkAsync("registered-models/alias", new { name = "m", alias = "champion", version = "2" });
        var whileTwo = await Now();
        await server.SendOkAsync(HttpMethod.Delete, "registered-models/alias", new { name = "m", alias = "champion" });
        var afterDelete = await Now();

        Assert.Equal("1", (await server.GetFlightdeckAsync($"alias-at?name=m&alias=champion&time={whileOne}")).GetProperty("version").GetString());
        Assert.Equal("2", (await server.GetFlightdeckAsync($"alias-at?name=m&alias=champion&time={whileTwo}")).GetProperty("version").GetString());
        foreach (var time in new[] { beforeAny, afterDelete })
        {
            using var none = await server.Http.GetAsync($"api/flightdeck/v1/registered-models/alias-at?name=m&alias=champion&time={time}");
            await TestServer.ReadErrorAsync(none, 404, ErrorCode.ResourceDoesNotExist);
        }

        using var badTime = await server.Http.GetAsync("api/flightdeck/v1/registered-models/alias-at?name=m&alias=champion&time=yesterday");
        await TestServer.ReadErrorAsync(badTime, 400, ErrorCode.InvalidParameterValue);
    }

    /// <summary>A time strictly between the calls before and after it: wait until the clock has moved on both sides.</summary>
    private static async Task<long> Now()
    {
        await Task.Delay(5, TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(5, TestContext.Current.CancellationToken);
        return now;
    }
}
