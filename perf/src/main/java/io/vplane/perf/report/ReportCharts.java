package io.vplane.perf.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * PNG bar charts of a benchmark: one per metric (throughput and latency apart, each in its own
 * unit), the cases along the axis, vplane's median next to each anchor's median.
 */
public final class ReportCharts
{
    private static final int HEIGHT = 420;
    private static final int WIDTH_PER_CASE = 160;
    private static final int MIN_WIDTH = 640;
    private static final Color[] COLOURS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd)};

    static
    {
        System.setProperty("java.awt.headless", "true");
    }

    private ReportCharts()
    {
    }

    /** Writes the charts of {@code run} into {@code dir} and returns their file names. */
    public static List<String> write(final BenchmarkRun run, final Path dir) throws IOException
    {
        final Map<String, List<PairedFigure>> byMetric = new LinkedHashMap<>();
        run.figures().forEach(f -> byMetric.computeIfAbsent(f.metric() + "\0" + f.unit(), k -> new ArrayList<>()).add(f));
        final List<String> files = new ArrayList<>();
        for (final List<PairedFigure> figures : byMetric.values())
        {
            final PairedFigure first = figures.getFirst();
            final DefaultCategoryDataset data = new DefaultCategoryDataset();
            final Set<String> cases = new LinkedHashSet<>();
            for (final PairedFigure figure : figures)
            {
                cases.add(figure.caseName());
                // the subject's median once per case, from its first pairing
                if (data.getRowIndex(run.subject().name()) < 0 || data.getColumnIndex(figure.caseName()) < 0
                    || data.getValue(run.subject().name(), figure.caseName()) == null)
                {
                    data.addValue(figure.subject().median(), run.subject().name(), figure.caseName());
                }
                data.addValue(figure.anchorSpread().median(), figure.anchor(), figure.caseName());
            }
            final String subtitle = String.format(Locale.ROOT, "%s is better; each bar: the side's median of %d pairs",
                first.better().word(), run.pairs().size());
            final JFreeChart chart = chart(run.name() + ": " + first.metric(), subtitle, first.metric() + " (" + first.unit() + ")", data,
                cases.size());
            final String file = fileName(run.name() + "-" + first.metric() + "-" + first.unit()) + ".png";
            ChartUtils.saveChartAsPNG(dir.resolve(file).toFile(), chart, Math.max(MIN_WIDTH, WIDTH_PER_CASE * cases.size()), HEIGHT);
            files.add(file);
        }
        return files;
    }

    private static JFreeChart chart(
        final String title, final String subtitle, final String axis, final DefaultCategoryDataset data, final int cases)
    {
        ChartFactory.setChartTheme(StandardChartTheme.createLegacyTheme());
        final JFreeChart chart = ChartFactory.createBarChart(title, "case", axis, data, PlotOrientation.VERTICAL, true, false, false);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        final CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (cases > 4)
        {
            plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        final BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int series = 0; series < data.getRowCount(); series++)
        {
            renderer.setSeriesPaint(series, COLOURS[series % COLOURS.length]);
        }
        return chart;
    }

    static String fileName(final String text)
    {
        return text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }
}
