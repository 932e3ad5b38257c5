namespace Flightdeck.Server.Tracking;

/// <summary>Readable default run names ("brave-owl-417"), as MLflow gives runs created without one.</summary>
internal static class RunNames
{
    private static readonly string[] Adjectives =
    [
        "able", "bold", "brave", "bright", "calm", "clever", "crisp", "eager", "fair", "fleet", "gentle", "glad", "grand", "keen",
        "kind", "lively", "lucid", "merry", "nimble", "noble", "proud", "quick", "quiet", "rare", "sharp", "shy", "silent", "smart",
        "steady", "sunny", "swift", "tidy", "vast", "warm", "wise", "witty", "young", "zesty",
    ];

    private static readonly string[] Nouns =
    [
        "ant", "bass", "bear", "bee", "cat", "colt", "crane", "crow", "deer", "doe", "dove", "duck", "eel", "elk", "finch", "fox",
        "frog", "gull", "hare", "hawk", "heron", "horse", "jay", "lark", "lynx", "mole", "moth", "newt", "owl", "ox", "panda",
        "pike", "robin", "seal", "shrew", "snail", "swan", "toad", "trout", "wasp", "whale", "wolf", "wren", "yak",
    ];

    public static string Next() =>
        $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}-{Nouns[Random.Shared.Next(Nouns.Length)]}-{Random.Shared.Next(1000)}";
}
