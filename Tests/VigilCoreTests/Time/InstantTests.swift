import PropertyBased
import Testing
import VigilCore

@Suite struct InstantTests {
    @Test func arithmeticWithDurations() {
        let start = Instant(millisecondsSinceEpoch: 1_000)
        #expect(start + .seconds(2) == Instant(millisecondsSinceEpoch: 3_000))
        #expect(start - .milliseconds(1_500) == Instant(millisecondsSinceEpoch: -500))
        #expect((start + .seconds(10)) - start == .seconds(10))
        #expect(start - (start + .seconds(10)) == .seconds(-10))
        #expect(start < start + .milliseconds(1))
        var moving = start
        moving += .milliseconds(5)
        moving -= .milliseconds(2)
        #expect(moving.millisecondsSinceEpoch == 1_003)
    }

    @Test func subMillisecondPartsAreTruncatedTowardZero() {
        #expect(Instant.zero + .microseconds(1_999) == Instant(millisecondsSinceEpoch: 1))
        #expect(Instant.zero - .microseconds(1_999) == Instant(millisecondsSinceEpoch: -1))
        #expect(Duration.nanoseconds(-1_500_000).wholeMilliseconds == -1)
    }

    @Test func saturatesInsteadOfTrapping() {
        let late = Instant(millisecondsSinceEpoch: .max - 1)
        #expect(late + .seconds(Int64.max) == Instant(millisecondsSinceEpoch: .max))
        #expect(Instant(millisecondsSinceEpoch: .min + 1) - .seconds(10) == Instant(millisecondsSinceEpoch: .min))
        #expect(Instant(millisecondsSinceEpoch: .max) - Instant(millisecondsSinceEpoch: .min) == .milliseconds(Int64.max))
        #expect(Instant(millisecondsSinceEpoch: .min) - Instant(millisecondsSinceEpoch: .max) == .milliseconds(Int64.min))
        let enormous = Duration.seconds(Int64.max) * 4
        #expect(enormous.wholeMilliseconds == .max)
        #expect((.zero - enormous).wholeMilliseconds == .min)
        #expect(Instant.zero + enormous == Instant(millisecondsSinceEpoch: .max))
        #expect(Duration.seconds(9_223_372_036_854_775).wholeMilliseconds == 9_223_372_036_854_775_000)
        #expect(Duration.seconds(9_223_372_036_854_776).wholeMilliseconds == .max)
    }

    @Test func addingThenMeasuringGivesTheDurationBack() async {
        let ms = Gen<Int64>.value(in: -1_000_000_000_000...1_000_000_000_000)
        await propertyCheck(count: 200, input: ms, ms) { t, d in
            let start = Instant(millisecondsSinceEpoch: t)
            #expect((start + .milliseconds(d)) - start == .milliseconds(d))
            #expect((start + .milliseconds(d) - .milliseconds(d)) == start)
            #expect((d > 0) == (start + .milliseconds(d) > start))
        }
    }

    @Test func codesAsABareNumber() throws {
        #expect(try JSONRoundTrip.encode(Instant(millisecondsSinceEpoch: 42)) == "42")
        #expect(try JSONRoundTrip.decode(Instant.self, "-7") == Instant(millisecondsSinceEpoch: -7))
    }
}
