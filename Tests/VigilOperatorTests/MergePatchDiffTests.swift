import Testing
import VigilKube
@testable import VigilOperator

@Suite struct MergePatchDiffTests {
    @Test func unchangedFieldsAreLeftOutAndRemovedOnesNulled() {
        let old: JSONValue = ["phase": "Provisioning", "primary": "a", "ready": "3/3", "nested": ["x": 1, "y": 2]]
        let new: JSONValue = ["phase": "Running", "primary": "a", "nested": ["x": 1, "z": 3]]
        let patch = MergePatchDiff.diff(from: old, to: new)
        #expect(patch == ["phase": "Running", "ready": .null, "nested": ["y": .null, "z": 3]])
        #expect(MergePatchDiff.diff(from: new, to: new) == nil)
        #expect(MergePatchDiff.diff(from: nil, to: new) == new)
    }

    @Test func applyingTheDiffGivesTheNewDocument() {
        let old: JSONValue = ["a": ["b": [1, 2], "c": "x"], "d": true, "e": ["f": ["g": 1]]]
        let new: JSONValue = ["a": ["b": [2], "c": "x"], "e": ["f": ["h": 2]], "i": "new"]
        let patch = MergePatchDiff.diff(from: old, to: new)!
        #expect(old.mergePatched(with: patch) == new)
    }
}
