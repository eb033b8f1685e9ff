namespace Warehouse.Core.Pipeline;

/// <summary>
/// Reports on the caller's thread, in order (unlike <see cref="Progress{T}"/>, which posts each report to the thread
/// pool, so a report can arrive after the work it describes has finished).
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
