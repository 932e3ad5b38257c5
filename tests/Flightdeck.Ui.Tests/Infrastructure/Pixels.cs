using System.Text.Json;
using Microsoft.Playwright;

namespace Flightdeck.Ui.Tests.Infrastructure;

/// <summary>What a PNG screenshot shows, read by decoding it in the browser (an image drawn onto a canvas).</summary>
public sealed record PixelSummary(int Width, int Height, int DistinctColors, int[] NearColorCounts)
{
    public static async Task<PixelSummary> OfPngAsync(IPage page, byte[] png, params string[] hexColors)
    {
        var json = await page.EvaluateAsync<JsonElement>("""
            async ([b64, targets]) => {
              const img = new Image();
              await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; img.src = "data:image/png;base64," + b64; });
              const canvas = document.createElement("canvas");
              canvas.width = img.width; canvas.height = img.height;
              const g = canvas.getContext("2d");
              g.drawImage(img, 0, 0);
              const d = g.getImageData(0, 0, img.width, img.height).data;
              const rgb = targets.map(t => [parseInt(t.slice(1, 3), 16), parseInt(t.slice(3, 5), 16), parseInt(t.slice(5, 7), 16)]);
              const near = rgb.map(() => 0);
              const colors = new Set();
              for (let i = 0; i < d.length; i += 4) {
                colors.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
                rgb.forEach(([r, gr, b], j) => { if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - gr) + Math.abs(d[i + 2] - b) < 60) near[j]++; });
              }
              return { width: img.width, height: img.height, distinct: colors.size, near };
            }
            """, new object[] { Convert.ToBase64String(png), hexColors });
        return new PixelSummary(json.GetProperty("width").GetInt32(), json.GetProperty("height").GetInt32(),
            json.GetProperty("distinct").GetInt32(), json.GetProperty("near").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }
}
