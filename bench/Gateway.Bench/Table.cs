using System.Globalization;
using System.Text;

namespace Gateway.Bench;

/// <summary>A result table printed to the console and kept for the markdown report.</summary>
public sealed class Table(string title, params string[] columns)
{
    private readonly List<string[]> _rows = [];

    public void Add(params object[] cells) =>
        _rows.Add(cells.Select(c => c switch
        {
            double d => d.ToString(d >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture),
            _ => Convert.ToString(c, CultureInfo.InvariantCulture) ?? "",
        }).ToArray());

    public string Markdown()
    {
        var text = new StringBuilder();
        text.Append("### ").Append(title).Append("\n\n");
        text.Append("| ").AppendJoin(" | ", columns).Append(" |\n");
        text.Append('|').AppendJoin('|', columns.Select(_ => "---")).Append("|\n");
        foreach (var row in _rows)
            text.Append("| ").AppendJoin(" | ", row).Append(" |\n");
        return text.ToString();
    }

    public void Print() => Console.WriteLine(Markdown());
}

public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
