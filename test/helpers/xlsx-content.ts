/**
 * The content of the large fixture workbook, as a function of the row number, so tests can
 * compare every cell the reader returns with what was written.
 */
export const LARGE_ROWS = 30_000;
export const LARGE_HEADERS = ['客户名称', '联系人姓名', '手机', '生日', '年龄', '备注', '邮编'];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞';

export function largeRow(i: number) {
  const y = 1950 + (i % 60);
  const m = 1 + (i % 12);
  const d = 1 + (i % 28);
  return {
    company: `客户${String(i).padStart(5, '0')}有限公司`,
    name: SURNAMES[i % 20] + GIVEN[(i * 7) % 20] + (i % 3 ? GIVEN[(i * 13) % 20] : ''),
    mobileNumber: 13000000000 + i * 7,
    birthday: new Date(Date.UTC(y, m - 1, d)),
    birthdayText: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    age: 20 + (i % 50),
    // Long Chinese text with a character outside the BMP, so multi-byte sequences straddle chunk boundaries.
    note: `第${i}行：这是一段较长的中文备注，用于检验跨块边界的多字节字符𠮷，以及“引号”和 mixed Latin 文本。`.repeat(1 + (i % 3)),
    zip: i % 100000,
  };
}
