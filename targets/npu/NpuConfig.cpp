//===- NpuConfig.cpp - the NPU's parameters from `key = value` text ------===//

#include "NpuConfig.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

namespace edgec::npu {
namespace {

// Each parameter once: its name in config files and its field.
const std::pair<const char *, uint32_t NpuConfig::*> kFields[] = {
    {"mac_rows", &NpuConfig::macRows},
    {"mac_cols", &NpuConfig::macCols},
    {"sram_bytes", &NpuConfig::sramBytes},
    {"sram_banks", &NpuConfig::sramBanks},
    {"sram_bank_bytes", &NpuConfig::sramBankBytes},
    {"dma_bytes_per_cycle", &NpuConfig::dmaBytesPerCycle},
    {"dma_latency", &NpuConfig::dmaLatency},
    {"ppu_elements_per_cycle", &NpuConfig::ppuElementsPerCycle},
    {"pool_elements_per_cycle", &NpuConfig::poolElementsPerCycle},
    {"eltwise_elements_per_cycle", &NpuConfig::eltwiseElementsPerCycle},
    {"command_cycles", &NpuConfig::commandCycles},
    {"clock_mhz", &NpuConfig::clockMhz},
};

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

} // namespace

bool parseNpuConfig(const std::string &text, NpuConfig &config, std::string &error) {
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty())
      continue;
    size_t eq = line.find('=');
    std::string where = "line " + std::to_string(number) + ": ";
    if (eq == std::string::npos) {
      error = where + "expected `key = value`, got `" + line + "`";
      return false;
    }
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    uint32_t NpuConfig::*field = nullptr;
    for (const auto &[name, member] : kFields)
      if (key == name)
        field = member;
    if (!field) {
      error = where + "unknown parameter `" + key + "`";
      return false;
    }
    char *end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(value.c_str(), &end, 0);
    if (value.empty() || value[0] == '-' || *end != '\0' || errno == ERANGE || v == 0 || v > 0xFFFFFFFFull) {
      error = where + "`" + key + "` must be a positive 32-bit integer, got `" + value + "`";
      return false;
    }
    config.*field = static_cast<uint32_t>(v);
  }
  // The array's outer product needs whole bytes of lanes; the simulator
  // indexes SRAM with 32-bit offsets.
  if (config.macRows > 256 || config.macCols > 256) {
    error = "mac_rows and mac_cols must be at most 256";
    return false;
  }
  if (config.sramBytes > (1u << 30) || config.sramBytes % 16) {
    error = "sram_bytes must be a multiple of 16, at most 1 GiB";
    return false;
  }
  if (uint64_t(config.sramBanks) * config.sramBankBytes > (1u << 20)) {
    error = "sram_banks x sram_bank_bytes must be at most 1 MiB per cycle";
    return false;
  }
  return true;
}

bool loadNpuConfig(const std::string &path, NpuConfig &config, std::string &error) {
  std::ifstream file(path);
  if (!file) {
    error = path + ": cannot open the NPU configuration";
    return false;
  }
  std::stringstream text;
  text << file.rdbuf();
  if (!parseNpuConfig(text.str(), config, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

std::string printNpuConfig(const NpuConfig &config) {
  std::string out;
  for (const auto &[name, member] : kFields)
    out += std::string(name) + " = " + std::to_string(config.*member) + "\n";
  return out;
}

} // namespace edgec::npu
