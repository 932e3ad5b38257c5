using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Search;

/// <summary>Experiment filters and ordering executed against a real store, on SQLite and PostgreSQL.</summary>
public sealed class ExperimentSearchTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Name_and_tag_filters_match_with_case_sensitive_LIKE(string backend)
    {
        var store = await SearchStore.ForAsync(backend);
        var p = Guid.NewGuid().ToString("N")[..8];
        var a = await store.NewExperimentAsync(p + "ab", creationTime: 1);
        var b = await store.NewExperimentAsync(p + "Abc", creationTime: 2, lastUpdateTime: 50);
        var c = await store.NewExperimentAsync(p + "xyz", creationTime: 3);
        await a.SetExperimentTagAsync("team", "Vision");
        await b.SetExperimentTagAsync("team", "vision");
        long[] ids = [a.Id, b.Id, c.Id];

        Assert.Equal([p + "ab"], await store.SearchExperimentNamesAsync(ids, $"name LIKE '{p}a%'"));
        Assert.Equal([p + "Abc", p + "ab"], await store.SearchExperimentNamesAsync(ids, $"attribute.name ILIKE '{p}A%'"));
        Assert.Equal([p + "xyz", p + "Abc"], await store.SearchExperimentNamesAsync(ids, $"name != '{p}ab'"));
        Assert.Equal([p + "xyz"], await store.SearchExperimentNamesAsync(ids, $"name = \"{p}xyz\""));
        Assert.Equal([p + "ab"], await store.SearchExperimentNamesAsync(ids, "tags.team = 'Vision'"));
        Assert.Equal([p + "Abc", p + "ab"], await store.SearchExperimentNamesAsync(ids, "tag.team ILIKE 'VIS%'"));
        Assert.Equal([p + "Abc"], await store.SearchExperimentNamesAsync(ids, "tags.team LIKE 'v%' AND tags.team != 'x'"));
        Assert.Equal([p + "xyz", p + "Abc"], await store.SearchExperimentNamesAsync(ids, "creation_time >= 2"));
        Assert.Equal([p + "Abc"], await store.SearchExperimentNamesAsync(ids, "last_update_time > 10"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Order_is_newest_first_by_default_and_names_sort_bytewise(string backend)
    {
        var store = await SearchStore.ForAsync(backend);
        var p = Guid.NewGuid().ToString("N")[..8];
        var ids = new List<long>();
        foreach (var (name, created) in new[] { ("a", 5L), ("Default", 5L), ("ab", 9L), ("Abc", 1L) })
        {
            ids.Add((await store.NewExperimentAsync(p + name, creationTime: created)).Id);
        }

        // Equal creation times fall back to the higher (newer) id first.
        Assert.Equal([p + "ab", p + "Default", p + "a", p + "Abc"], await store.SearchExperimentNamesAsync(ids, null));
        Assert.Equal([p + "ab", p + "a", p + "Default", p + "Abc"], await store.SearchExperimentNamesAsync(ids, null, ["name DESC"]));
        Assert.Equal([p + "Abc", p + "Default", p + "a", p + "ab"], await store.SearchExperimentNamesAsync(ids, null, ["attribute.name"]));
        Assert.Equal([p + "a", p + "Default", p + "ab", p + "Abc"], await store.SearchExperimentNamesAsync(ids, null, ["experiment_id"]));
        Assert.Equal([p + "Abc", p + "Default", p + "a", p + "ab"],
            await store.SearchExperimentNamesAsync(ids, null, ["creation_time ASC", "experiment_id DESC"]));
        Assert.Equal([p + "Abc", p + "Default", p + "a", p + "ab"],
            await store.SearchExperimentNamesAsync(ids, null, ["last_update_time"]));
    }
}
