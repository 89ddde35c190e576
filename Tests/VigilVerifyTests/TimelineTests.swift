import Testing
@testable import VigilVerify

@Suite struct TimelineTests {
    private func occurrences(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func oneLanePerServerAndOneShadePerFault() {
        let history = cleanFailoverHistory().history
        let svg = Timeline.svg(history, report: Checker.check(history))
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.hasSuffix("</svg>"))
        #expect(occurrences(#"class="lane""#, in: svg) == 3)
        for server in ["db1", "db2", "db3"] { #expect(svg.contains(#"data-server="\#(server)""#)) }
        #expect(occurrences(#"<rect class="fault""#, in: svg) == history.faults.count)
        #expect(occurrences(#"class="transition""#, in: svg) == history.transitions.count)
        #expect(!svg.contains(#"class="lost""#))
        #expect(occurrences("<g", in: svg) == occurrences("</g>", in: svg))
        #expect(!svg.contains("http://") || occurrences("http://", in: svg) == 1, "only the xmlns, no external assets")
    }

    @Test func lostWritesAreMarkedInRed() {
        var history = cleanFailoverHistory().history
        history.finalReads[1].insertedKeys!.removeAll { $0 == 3 || $0 == 4 }
        let svg = Timeline.svg(history, report: Checker.check(history))
        #expect(occurrences(#"class="lost""#, in: svg) == 2)
        #expect(svg.contains(#"fill="red""#))
    }
}
