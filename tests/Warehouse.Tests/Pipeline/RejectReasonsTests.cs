using Warehouse.Core.Pipeline;

namespace Warehouse.Tests.Pipeline;

/// <summary>Reject reasons are counted with their varying values masked, and nothing else of them lost.</summary>
public sealed class RejectReasonsTests
{
    [Theory]
    [InlineData("line is not valid UTF-8", "line is not valid UTF-8")]
    [InlineData("time '31/Feb/2023:10:00:00 +0000' is not dd/Mon/yyyy:HH:mm:ss ±hhmm (day 31 is out of range)",
        "time '…' is not dd/Mon/yyyy:HH:mm:ss ±hhmm (day N is out of range)")]
    [InlineData("field 'user_id' is 10,240 bytes long; its staging column holds at most 256",
        "field 'user_id' is N,N bytes long; its staging column holds at most N")]
    [InlineData("missing field 'event.timestamp'", "missing field 'event.timestamp'")]
    [InlineData("invalid JSON: \"abc\" at 12", "invalid JSON: \"…\" at N")]
    public void Normalise_MasksValuesAndNumbersButKeepsNames(string reason, string expected) =>
        Assert.Equal(expected, RejectReasons.Normalise(reason));
}
