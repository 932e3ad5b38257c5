using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Flightdeck.Contracts;
using Spectre.Console;

namespace Flightdeck.Cli.Infrastructure;

/// <summary>Writes results: JSON for scripts (written raw, never wrapped), or human-readable text and tables.</summary>
internal static class Output
{
    private static readonly FlightdeckJsonContext IndentedContracts = new(new JsonSerializerOptions(FlightdeckJson.Options) { WriteIndented = true });
    private static readonly CliJsonContext IndentedCli = new(new JsonSerializerOptions(FlightdeckJson.Options) { WriteIndented = true });

    public static FlightdeckJsonContext Contracts => IndentedContracts;

    public static CliJsonContext Cli => IndentedCli;

    public static void Json<T>(IAnsiConsole console, T value, JsonTypeInfo<T> type) =>
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, type));

    public static void Line(IAnsiConsole console, string text) => console.MarkupLine(Markup.Escape(text));

    public static string Time(long? unixMs) => unixMs is { } ms and > 0
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        : "";

    public static string Duration(long start, long? end)
    {
        if (start <= 0 || end is not { } stop || stop < start)
        {
            return "";
        }

        var span = TimeSpan.FromMilliseconds(stop - start);
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m"
            : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:00}s"
            : $"{span.TotalSeconds:0.0}s";
    }

    public static string Size(long? bytes) => bytes switch
    {
        null => "",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB",
    };

    public static string Number(double? value) => value switch
    {
        null => "",
        { } v when double.IsNaN(v) => "NaN",
        { } v => v.ToString("G6", CultureInfo.InvariantCulture),
    };

    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    /// <summary>Writes label/value pairs as a two-column grid, labels in bold: the head of every "show" command.</summary>
    public static void Details(IAnsiConsole console, params (string Label, string? Value)[] rows)
    {
        var details = new Grid().AddColumn().AddColumn();
        foreach (var (label, value) in rows)
        {
            details.AddRow(new Markup($"[bold]{Markup.Escape(label)}[/]"), new Text(value ?? ""));
        }

        console.Write(details);
    }

    /// <summary>Adds a row of plain text cells (escaped, so names with [brackets] print as they are).</summary>
    public static void Row(Table table, params string?[] cells) => table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c ?? "")).ToArray());
}
