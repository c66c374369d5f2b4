package dev.sessions.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Order statistics of repeated measurements: what every result reports. */
record Stats(int runs, double median, double p99, double min, double max, double p25, double p75) {

    static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no measurements");
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return new Stats(sorted.size(), percentile(sorted, 50), percentile(sorted, 99), sorted.getFirst(),
                sorted.getLast(), percentile(sorted, 25), percentile(sorted, 75));
    }

    /** Linear interpolation between closest ranks. */
    static double percentile(List<Double> sorted, double p) {
        double rank = p / 100.0 * (sorted.size() - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted.get(low) + (sorted.get(high) - sorted.get(low)) * (rank - low);
    }

    Map<String, Object> json(String unit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", runs);
        out.put("median", round(median));
        out.put("p99", round(p99));
        out.put("min", round(min));
        out.put("max", round(max));
        out.put("p25", round(p25));
        out.put("p75", round(p75));
        out.put("unit", unit);
        return out;
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
