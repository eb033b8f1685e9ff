namespace Warehouse.Core;

/// <summary>
/// An error the user can act on: its message is printed as one line, without a stack trace.
/// </summary>
public sealed class WarehouseException(string message, Exception? inner = null) : Exception(message, inner);
