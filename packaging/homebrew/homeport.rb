# Homebrew formula for homeport — UNTESTED: homeport has never been built on macOS (see
# README, "Status of the project"), and this formula has never been run by `brew`.
#
# There is no release tarball yet: the formula builds from the repository's main branch
# (`brew install --HEAD ./homeport.rb`). Before publishing it in a tap, replace REPOSITORY_URL
# with the repository's address, and add a `url`/`sha256` pair for a tagged release.
class Homeport < Formula
  desc "Home-server daemon: public IP, DDNS, RustDesk-compatible ID and relay server"
  homepage "REPOSITORY_URL"
  head "REPOSITORY_URL", branch: "main"

  depends_on xcode: ["16.0", :build] # Swift 6 toolchain
  depends_on :macos => :sequoia      # Package.swift: platforms: [.macOS(.v15)]
  depends_on "libsodium"
  uses_from_macos "sqlite"

  def install
    # The providers are compiled in (Sources/DDNS/BuiltinProviderFiles.swift): one file installs.
    system "swift", "build", "--disable-sandbox", "-c", "release", "--product", "homeport"
    bin.install ".build/release/homeport"
    generate_completions_from_executable(bin/"homeport", "--generate-completion-script")
  end

  # `brew services start homeport`: a LaunchAgent for this user, state in Homebrew's var.
  service do
    run [opt_bin/"homeport", "run", "--state-dir", var/"homeport"]
    keep_alive true
    log_path var/"log/homeport.log"
    error_log_path var/"log/homeport.log"
  end

  test do
    assert_match "homeport ", shell_output("#{bin}/homeport version")
    assert_match "85 providers", shell_output("#{bin}/homeport providers list")
  end
end
