import Testing
import VigilLocal

/// Reasons from the decision core name instants as `@<ms>ms`; the CLI shows ISO 8601.
struct ReadableInstantsTests {
    @Test func instantsBecomeISO8601AndOtherTextIsKept() {
        #expect(LocalGroup.readableInstants("switchoverRefused: in cooldown until @1795493583794ms")
                == "switchoverRefused: in cooldown until 2026-11-24T04:13:03.794Z")
        #expect(LocalGroup.readableInstants("a @ sign, @12 and @x stay") == "a @ sign, @12 and @x stay")
        #expect(LocalGroup.readableInstants("@0ms") == "1970-01-01T00:00:00.000Z")
        #expect(LocalGroup.readableInstants("") == "")
    }
}
