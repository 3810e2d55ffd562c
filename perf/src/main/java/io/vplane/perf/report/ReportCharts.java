package io.vplane.perf.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.BoxAndWhiskerItem;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;

import java.awt.BasicStroke;
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
 * PNG charts of a benchmark: one bar chart per metric (throughput and latency apart, each in its
 * own unit), the cases along the axis, vplane's median next to each anchor's median; and one chart
 * of the ratios with their spread across the pairs.
 */
public final class ReportCharts
{
    private static final int HEIGHT = 420;
    private static final int WIDTH_PER_CASE = 160;
    private static final int WIDTH_PER_FIGURE = 130;
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
        if (!byMetric.isEmpty())
        {
            files.add(ratios(run, dir));
        }
        return files;
    }

    /**
     * The ratios subject/anchor of every figure as boxes from the lowest to the highest pair with the
     * median marked, beside a line at 1 and the ±15% band around it: how far apart, and how sure.
     */
    private static String ratios(final BenchmarkRun run, final Path dir) throws IOException
    {
        final DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
        int categories = 0;
        for (final PairedFigure figure : run.figures())
        {
            final Spread ratio = figure.ratio();
            final String category = figure.caseName() + ", " + figure.metric() + " (" + figure.better().word() + ")";
            if (data.getColumnIndex(category) < 0)
            {
                categories++;
            }
            data.add(new BoxAndWhiskerItem(ratio.median(), ratio.median(), ratio.min(), ratio.max(), ratio.min(), ratio.max(),
                null, null, List.of()), figure.anchor(), category);
        }
        final CategoryPlot plot = new CategoryPlot(data, new CategoryAxis("figure"),
            new NumberAxis("ratio " + run.subject().name() + "/anchor"), new BoxAndWhiskerRenderer());
        final BoxAndWhiskerRenderer renderer = (BoxAndWhiskerRenderer) plot.getRenderer();
        renderer.setMeanVisible(false);
        renderer.setMaxOutlierVisible(false);
        renderer.setMinOutlierVisible(false);
        renderer.setFillBox(true);
        for (int series = 0; series < data.getRowCount(); series++)
        {
            renderer.setSeriesPaint(series, COLOURS[(series + 1) % COLOURS.length]);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.addRangeMarker(new IntervalMarker(1 - Spread.NOISE_FRACTION, 1 + Spread.NOISE_FRACTION, new Color(0, 0, 0, 20)));
        plot.addRangeMarker(new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1.5f)));
        plot.getDomainAxis().setMaximumCategoryLabelLines(3);
        final JFreeChart chart = new JFreeChart(run.name() + ": ratio per figure", new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.addSubtitle(new TextTitle(String.format(Locale.ROOT,
            "box: lowest to highest of %d pairs, line: median; shaded: 1 ± %.0f%%",
            run.pairs().size(), Spread.NOISE_FRACTION * 100), new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        final String file = fileName(run.name() + "-ratios") + ".png";
        ChartUtils.saveChartAsPNG(dir.resolve(file).toFile(), chart, Math.max(MIN_WIDTH, WIDTH_PER_FIGURE * categories), HEIGHT + 80);
        return file;
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
