"""Stock import files: the header rows and a CSV with every kind of row error."""

from __future__ import annotations

HEADER = "Organisasi,Barang,Kode barang,Kategori,Jumlah,Satuan,Kab/Kota,Kode Kab/Kota,Lokasi,Kedaluwarsa,Kondisi"
HXL = "#org,#item+name,#item+code,#item+type,#item+num,#item+unit,#adm2+name,#adm2+code,#loc,#date+expiry,#status"
CSV_WITH_ERRORS = "\n".join([
    HEADER,
    HXL,
    "PMI Kalsel,Beras,beras,Pangan,2.500,kg,Kota Banjarbaru,63.72,Gudang A,2026-12-31,baik",
    "Dinsos,Terpal,terpal,Hunian sementara,200,lembar,,63.06,,,",
    "Yayasan Fiktif,Beras,beras,Pangan,100,kg,,63.71,,,",
    "PMI Kalsel,Selimut,,,banyak,lembar,HSS,,,,",
    "PMI Kalsel,Susu,susu,Pangan,10,dus,Bjm,,,31/2/2026,",
    "Dinsos,Genset,genset,,2,unit,Tala,,,,rusak ringan",
    ",,,,,,,,,,",
]).encode()  # fmt: skip
