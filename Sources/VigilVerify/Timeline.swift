/// The picture people look at: time across, one lane per server with its acknowledged writes,
/// fault periods shaded and labelled, role transitions as vertical lines, lost writes in red.
/// Self-contained SVG text, no external assets.
public enum Timeline {
    static let width = 800.0
    static let height = 300.0
    static let left = 90.0
    static let right = 20.0
    static let top = 30.0
    static let bottom = 40.0
    static let palette = ["#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f"]

    public static func svg(_ history: History, report: Report) -> String {
        let servers = Set(history.operations.compactMap(\.server) + history.finalReads.map(\.instance)
            + history.transitions.map(\.to) + history.transitions.compactMap(\.from)).sorted()
        let times = history.operations.flatMap { [$0.invokedAtMs] + ($0.completedAtMs.map { [$0] } ?? []) }
            + history.faults.flatMap { [$0.startMs] + ($0.endMs.map { [$0] } ?? []) } + history.transitions.map(\.atMs)
        let end = max(times.max() ?? 1, 1)
        let plotWidth = width - left - right
        let laneHeight = (height - top - bottom) / Double(max(servers.count, 1))
        func x(_ ms: Int64) -> Double { left + plotWidth * Double(ms) / Double(end) }
        func laneY(_ server: String) -> Double { top + laneHeight * (Double(servers.firstIndex(of: server) ?? 0) + 0.5) }

        var out: [String] = []
        out.append(#"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" viewBox="0 0 \#(Int(width)) \#(Int(height))" font-family="sans-serif" font-size="10">"#)
        out.append(#"<rect x="0" y="0" width="\#(Int(width))" height="\#(Int(height))" fill="white"/>"#)
        let verdict = report.verdict.passed ? "passed" : "FAILED"
        out.append(#"<text x="\#(f(left))" y="16" font-size="12">\#(escape("\(report.workload) · \(report.mode) · seed \(report.seed) · \(verdict)"))</text>"#)
        // Seconds along the axis, at a step giving at most ten ticks.
        let stepMs = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].map { Int64($0) * 1000 }
            .first { end / $0 <= 10 } ?? end
        for tick in stride(from: Int64(0), through: end, by: Int(stepMs)) {
            out.append(#"<line x1="\#(f(x(tick)))" y1="\#(f(height - bottom))" x2="\#(f(x(tick)))" y2="\#(f(height - bottom + 4))" stroke="gray"/>"#)
            out.append(#"<text x="\#(f(x(tick)))" y="\#(f(height - 6))" text-anchor="middle" fill="gray">\#(tick / 1000) s</text>"#)
        }
        for (index, fault) in history.faults.sorted(by: { $0.startMs < $1.startMs }).enumerated() {
            let x0 = x(fault.startMs), x1 = x(fault.endMs ?? end)
            out.append(#"<rect class="fault" x="\#(f(x0))" y="\#(f(top))" width="\#(f(max(x1 - x0, 1)))" height="\#(f(height - top - bottom))" fill="rgb(245,166,35)" fill-opacity="0.2"><title>\#(escape(fault.kind))</title></rect>"#)
            // Three label rows so neighbouring faults do not print over each other.
            let label = escape(fault.kind + (fault.target.map { " " + $0 } ?? ""))
            out.append(#"<text x="\#(f(x0 + 2))" y="\#(f(top + 10 + Double(index % 3) * 10))" fill="rgb(179,107,0)"\#(anchor(x0))>\#(label)</text>"#)
        }
        for (index, server) in servers.enumerated() {
            let y = laneY(server)
            let colour = palette[index % palette.count]
            out.append(#"<g class="lane" data-server="\#(escape(server))">"#)
            out.append(#"<line x1="\#(f(left))" y1="\#(f(y))" x2="\#(f(width - right))" y2="\#(f(y))" stroke="rgb(221,221,221)"/>"#)
            out.append(#"<text x="6" y="\#(f(y + 3))">\#(escape(server))</text>"#)
            // One path of short ticks keeps the file small with many thousands of writes.
            // Writes landing on the same tenth of a pixel share a tick.
            let xs = Set(history.operations.filter { $0.isAcknowledgedWrite && $0.server == server && $0.completedAtMs != nil }
                .map { f(x($0.completedAtMs!)) })
            let ticks = xs.sorted { Double($0)! < Double($1)! }.map { "M\($0) \(f(y - 5))v10" }
            if !ticks.isEmpty {
                out.append(#"<path d="\#(ticks.joined())" stroke="\#(colour)" stroke-width="1"/>"#)
            }
            out.append("</g>")
        }
        for (index, transition) in history.transitions.sorted(by: { $0.atMs < $1.atMs }).enumerated() {
            let tx = x(transition.atMs)
            out.append(#"<line class="transition" x1="\#(f(tx))" y1="\#(f(top))" x2="\#(f(tx))" y2="\#(f(height - bottom))" stroke="black" stroke-dasharray="3,2"/>"#)
            out.append(#"<text x="\#(f(tx + 2))" y="\#(f(height - bottom + 14 + Double(index % 2) * 10))"\#(anchor(tx))>\#(escape("\(transition.kind) → \(transition.to)"))</text>"#)
        }
        let byID = Dictionary(history.operations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for lost in report.lostWrites {
            guard let op = byID[lost.operationID], let server = op.server, let done = op.completedAtMs else { continue }
            out.append(#"<circle class="lost" cx="\#(f(x(done)))" cy="\#(f(laneY(server)))" r="3" fill="red"><title>lost #\#(op.id)</title></circle>"#)
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    /// Labels near the right edge grow leftwards so they stay inside the picture.
    private static func anchor(_ x: Double) -> String {
        x > width - 130 ? #" text-anchor="end""# : ""
    }

    private static func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
