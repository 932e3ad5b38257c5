using System.Runtime.InteropServices;

namespace Flightdeck.Server.Storage;

/// <summary>
/// Direct calls into the e_sqlite3 library that SQLitePCL loads, on a statement's raw pointer, for loops that make
/// millions of calls (metric history, the metric rows of log-batch). SQLitePCL's own entry points take the statement
/// as a SafeHandle, and the reference counting plus the full GC transition of each call cost more than the column
/// read itself. Column getters and binds only touch memory, so they skip the GC transition; step and reset can do
/// I/O and keep it.
/// The caller keeps the statement (its SafeHandle) alive while it uses the pointer.
/// </summary>
internal static partial class SqliteNative
{
    private const string Library = "e_sqlite3";

    [DllImport(Library, EntryPoint = "sqlite3_step")]
    public static extern int Step(IntPtr statement);

    [DllImport(Library, EntryPoint = "sqlite3_reset")]
    public static extern int Reset(IntPtr statement);

    [DllImport(Library, EntryPoint = "sqlite3_bind_double")]
    [SuppressGCTransition]
    public static extern int BindDouble(IntPtr statement, int index, double value);

    [DllImport(Library, EntryPoint = "sqlite3_bind_int64")]
    [SuppressGCTransition]
    public static extern int BindInt64(IntPtr statement, int index, long value);

    [DllImport(Library, EntryPoint = "sqlite3_bind_text")]
    [SuppressGCTransition]
    private static extern int BindUtf8(IntPtr statement, int index, ref byte text, int length, IntPtr destructor);

    /// <summary>SQLite's SQLITE_TRANSIENT destructor: it copies the text before the call returns.</summary>
    private static readonly IntPtr Transient = new(-1);

    /// <summary>Binds <paramref name="text"/> as UTF-8 (SQLite copies it). For short texts such as keys (at most a few hundred characters).</summary>
    public static int BindText(IntPtr statement, int index, string text)
    {
        // A non-empty buffer even for "": a null pointer would bind NULL.
        Span<byte> buffer = stackalloc byte[Math.Max(1, System.Text.Encoding.UTF8.GetMaxByteCount(text.Length))];
        var length = System.Text.Encoding.UTF8.GetBytes(text, buffer);
        return BindUtf8(statement, index, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer), length, Transient);
    }

    [DllImport(Library, EntryPoint = "sqlite3_column_double")]
    [SuppressGCTransition]
    public static extern double ColumnDouble(IntPtr statement, int column);

    [DllImport(Library, EntryPoint = "sqlite3_column_int")]
    [SuppressGCTransition]
    public static extern int ColumnInt(IntPtr statement, int column);

    [DllImport(Library, EntryPoint = "sqlite3_column_int64")]
    [SuppressGCTransition]
    public static extern long ColumnInt64(IntPtr statement, int column);
}
