namespace Warehouse.Core.Generate;

/// <summary>
/// Browsers and devices users switch between. The user-agent strings feed the webshop and clickstream files, whose
/// families the warehouse derives by its own rules; the family triples feed the device events, which carry them.
/// </summary>
internal static class UserAgents
{
    public static readonly byte[][] Strings =
    [
        .. new[]
        {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0.3683.86 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Linux; Android 9; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0.3683.90 Mobile Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0.3 Safari/605.1.15",
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:66.0) Gecko/20100101 Firefox/66.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.18362",
            "Mozilla/5.0 (Linux; Android 9; Pixel 3) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0.3683.90 Mobile Safari/537.36",
            "Mozilla/5.0 (iPad; CPU OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Linux; Android 8.0.0; SAMSUNG SM-A520F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/9.0 Chrome/67.0.3396.87 Mobile Safari/537.36",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        }.Select(System.Text.Encoding.UTF8.GetBytes),
    ];

    /// <summary>(browser_family, os_family, device_family) as device events report them.</summary>
    public static readonly (string Browser, string Os, string Device)[] Devices =
    [
        ("Chrome Mobile", "Android", "Samsung SM-G960F"),
        ("Mobile Safari", "iOS", "iPhone"),
        ("Chrome Mobile", "Android", "Pixel 3"),
        ("Samsung Internet", "Android", "Samsung SM-A520F"),
        ("Mobile Safari", "iOS", "iPad"),
        ("Chrome", "Windows", "Other"),
        ("Safari", "Mac OS X", "Mac"),
        ("Firefox", "Ubuntu", "Other"),
    ];

    /// <summary>Picks an agent with the first ones (the common browsers) more likely than the rest.</summary>
    public static byte PickSkewed(DeterministicRandom rng, int count)
    {
        var a = rng.Next(count);
        var b = rng.Next(count);
        return (byte)Math.Min(a, b);
    }
}
