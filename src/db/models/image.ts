// A blog image kept in the database by its SHA-256 (migration 0021), so every web process serves it; the rules of
// what may be stored are src/blog/post-images.ts, the reads and writes src/blog/image-store.ts.
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export class Image extends Model<InferAttributes<Image>, InferCreationAttributes<Image>> {
  /** Lower-case hex: the image's name in its URL. */
  declare sha256: string;
  declare contentType: string;
  declare byteSize: number;
  declare bytes: Buffer;
  declare createdAt: CreationOptional<Date>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    Image.init(
      {
        sha256: { type: DataTypes.STRING(64), primaryKey: true },
        contentType: { type: DataTypes.STRING(40), allowNull: false },
        byteSize: { type: DataTypes.INTEGER, allowNull: false },
        bytes: { type: DataTypes.BLOB, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'images', modelName: 'Image', updatedAt: false },
    );
  }
}
