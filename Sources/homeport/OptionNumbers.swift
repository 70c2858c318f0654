import Rendezvous
import RustDeskWire

/// The numeric options of `homeport rendezvous` and `homeport relay`: a flag wins over the
/// hbbs/hbbr option sources, and either is range-checked, the error naming the flag or the
/// variable, the value and the valid range (an empty variable counts as unset, as in hbbs).
extension OptionSources {
    func integer(_ name: String, flag: Int?, flagName: String, in range: ClosedRange<Int>, unit: String? = nil) throws -> Int? {
        if let flag { return try RangedNumber.check(flag, name: flagName, in: range, unit: unit) }
        guard let text = value(name), !text.isEmpty else { return nil }
        return try RangedNumber.integer(text, name: name, in: range, unit: unit)
    }

    func decimal(_ name: String, in range: ClosedRange<Double>, unit: String? = nil) throws -> Double? {
        guard let text = value(name), !text.isEmpty else { return nil }
        return try RangedNumber.decimal(text, name: name, in: range, unit: unit)
    }
}
